using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpsAssistant.Infrastructure.Tests.Llm;

/// <summary>
/// A real Kestrel server on loopback that speaks the OpenAI chat-completions wire format (plain JSON and SSE streaming, with
/// <c>usage</c>), scripted per request, so tests drive the whole SK → SDK → HTTP path. It serves both the OpenAI path
/// (<c>/v1/chat/completions</c>) and the Azure path (<c>/openai/deployments/{d}/chat/completions</c>).
/// </summary>
public sealed class FakeChatCompletionsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, JsonNode, Task>> _script = new();

    private FakeChatCompletionsServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>OpenAI-compatible base address as a user configures it (Ollama style <c>.../v1</c>).</summary>
    public Uri V1Endpoint => new(BaseUri, "v1");

    public ConcurrentQueue<JsonNode> Requests { get; } = new();

    /// <summary>Used when the script is empty.</summary>
    public Func<HttpContext, JsonNode, Task>? Default { get; set; }

    public static async Task<FakeChatCompletionsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeChatCompletionsServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        app.MapPost("/openai/deployments/{deployment}/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public FakeChatCompletionsServer Then(Func<HttpContext, JsonNode, Task> step)
    {
        _script.Enqueue(step);
        return this;
    }

    public FakeChatCompletionsServer ThenJson(string content, int promptTokens = 120, int completionTokens = 40, string model = "fake-model-2026") =>
        Then((ctx, _) => WriteJsonAsync(ctx, content, promptTokens, completionTokens, model));

    public FakeChatCompletionsServer ThenStream(string content, int promptTokens = 120, int completionTokens = 40, string model = "fake-model-2026") =>
        Then((ctx, _) => WriteStreamAsync(ctx, content, promptTokens, completionTokens, model));

    public FakeChatCompletionsServer ThenStatus(int status, string? retryAfter = null) =>
        Then(async (ctx, _) =>
        {
            ctx.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                ctx.Response.Headers.RetryAfter = retryAfter;
            }

            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = $"scripted {status}", ["type"] = "server_error" } }.ToJsonString());
        });

    public static async Task WriteJsonAsync(HttpContext ctx, string content, int promptTokens, int completionTokens, string model)
    {
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1_764_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        };
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString());
    }

    public static async Task WriteStreamAsync(HttpContext ctx, string content, int promptTokens, int completionTokens, string model)
    {
        ctx.Response.ContentType = "text/event-stream";
        var pieces = Chunk(content, 17).ToList();
        for (var i = 0; i < pieces.Count; i++)
        {
            var delta = new JsonObject { ["content"] = pieces[i] };
            if (i == 0)
            {
                delta["role"] = "assistant";
            }

            var chunk = new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1_764_000_000,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["delta"] = delta,
                    ["finish_reason"] = i == pieces.Count - 1 ? "stop" : null,
                }),
            };
            await ctx.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
            await ctx.Response.Body.FlushAsync();
        }

        var usage = new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_764_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = completionTokens, ["total_tokens"] = promptTokens + completionTokens },
        };
        await ctx.Response.WriteAsync($"data: {usage.ToJsonString()}\n\ndata: [DONE]\n\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IEnumerable<string> Chunk(string text, int size)
    {
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync()) ?? new JsonObject();
        Requests.Enqueue(body);
        var step = _script.TryDequeue(out var next) ? next : Default;
        if (step is null)
        {
            ctx.Response.StatusCode = 500;
            await ctx.Response.WriteAsync("""{"error":{"message":"fake server script exhausted"}}""");
            return;
        }

        await step(ctx, body);
    }
}
