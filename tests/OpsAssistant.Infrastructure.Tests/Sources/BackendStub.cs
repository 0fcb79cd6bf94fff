using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpsAssistant.Infrastructure.Tests.Sources;

/// <summary>
/// A real Kestrel on a free loopback port standing in for Jaeger, Tempo or Zipkin: each path answers from a queue of
/// canned responses (the last one repeats), and every request is recorded.
/// </summary>
internal sealed class BackendStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Canned>> _responses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Canned> _last = new(StringComparer.Ordinal);

    private BackendStub(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Path, string? Accept)> Requests { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Headers every request must carry with exactly these values, as an authenticating backend or gateway demands; else 401.</summary>
    public IDictionary<string, string> RequiredHeaders { get; } = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long every answer waits first (until the caller gives up): a slow backend.</summary>
    public TimeSpan Delay { get; set; }

    public static async Task<BackendStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new BackendStub(app);
        app.Run(stub.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        stub.BaseAddress = new Uri(address);
        return stub;
    }

    public void Answer(string path, int status, string body, string contentType = "application/json")
    {
        var queue = _responses.GetOrAdd(path, _ => new ConcurrentQueue<Canned>());
        queue.Enqueue(new Canned(status, body, contentType));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        Requests.Enqueue((path, context.Request.Headers.Accept.ToString()));
        if (RequiredHeaders.Any(h => context.Request.Headers[h.Key].ToString() != h.Value))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("no org id or credentials", context.RequestAborted);
            return;
        }

        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        Canned? canned = null;
        if (_responses.TryGetValue(path, out var queue) && queue.TryDequeue(out var next))
        {
            canned = next;
            _last[path] = next;
        }
        else if (_last.TryGetValue(path, out var repeat))
        {
            canned = repeat;
        }

        canned ??= new Canned(404, """{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}""", "application/json");
        context.Response.StatusCode = canned.Status;
        context.Response.ContentType = canned.ContentType;
        await context.Response.WriteAsync(canned.Body, context.RequestAborted);
    }

    private sealed record Canned(int Status, string Body, string ContentType);
}
