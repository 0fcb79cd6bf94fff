using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// A real HTTP endpoint on loopback that records every POST (path, headers, body) and answers from a script, falling back to
/// 200 with <see cref="DefaultBody"/>: the far end of notifications, and of an LLM call when only its headers matter.
/// </summary>
public sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _statuses = new();

    private RecordingReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public string DefaultBody { get; set; } = "{}";

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<RecordingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new RecordingReceiver(app);
        app.MapPost("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Urls.First() + "/");
        return receiver;
    }

    /// <summary>The next requests get these statuses, in order (500 with an empty body for failures).</summary>
    public void Answer(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _statuses.Enqueue(status);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new ReceivedRequest(context.Request.Path.Value ?? "/", headers, body));
        var status = _statuses.TryDequeue(out var scripted) ? scripted : StatusCodes.Status200OK;
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status200OK)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(DefaultBody);
        }
    }
}

public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body);
