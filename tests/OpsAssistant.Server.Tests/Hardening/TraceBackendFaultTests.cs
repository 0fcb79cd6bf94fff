using System.Net;
using System.Net.Sockets;
using System.Text;
using OpsAssistant.Infrastructure.Tests.Sources;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// POST /api/analyses against a real Jaeger, Tempo or Zipkin stand-in on Kestrel that is down, slow, missing the trace,
/// serving HTML with 200, cutting its JSON short or answering an empty 200 (read as "no such trace"): each is a problem (502 naming the source and what went wrong, or
/// 404), never a 500 or a stack trace, and the service keeps answering.
/// </summary>
public sealed class TraceBackendFaultTests : IAsyncLifetime
{
    private const string TraceId = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private BackendStub _backend = null!;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "Jaeger", "Tempo", "Zipkin" })
        {
            foreach (var fault in new[] { "down", "slow", "404", "html", "truncated", "empty", "wrong-json" })
            {
                data.Add(kind, fault);
            }
        }

        return data;
    }

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PostAnalysis_BackendFault_IsAClearProblemNotA500(string kind, string fault)
    {
        var path = kind switch { "Zipkin" => $"/api/v2/trace/{TraceId}", _ => $"/api/traces/{TraceId}" };
        var url = _backend.BaseAddress.ToString();
        switch (fault)
        {
            case "down":
                url = $"http://127.0.0.1:{ClosedPort()}/";
                break;
            case "slow":
                _backend.Delay = TimeSpan.FromSeconds(30);
                break;
            case "html":
                _backend.Answer(path, 200, "<!doctype html><html><body>Please sign in</body></html>", "text/html");
                break;
            case "truncated":
                _backend.Answer(path, 200, kind == "Zipkin" ? "[{\"traceId\":\"" + TraceId + "\",\"id\":\"00000000000000a1\",\"na" : "{\"data\":[{\"traceID\":\"" + TraceId + "\",\"spans\":[{\"spa");
                break;
            case "empty":
                _backend.Answer(path, 200, "");
                break;
            case "wrong-json":
                _backend.Answer(path, 200, "{\"data\":\"not a list\",\"batches\":7}");
                break;
        }

        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:TraceSource:Kind"] = kind,
            ["OpsAssistant:TraceSource:Url"] = url,
            // Short timeouts only where the timeout is the point: a cold first request must not time out by accident.
            ["OpsAssistant:TraceSource:AttemptTimeout"] = fault == "slow" ? "00:00:00.300" : "00:00:10",
            ["OpsAssistant:TraceSource:Timeout"] = fault == "slow" ? "00:00:01" : "00:00:20",
            ["OpsAssistant:TraceSource:MaxRetries"] = "0",
        });
        using var client = host.CreateClient();
        using var content = new StringContent($$"""{"traceId":"{{TraceId}}"}""", Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri("api/analyses", UriKind.Relative), content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        var expected = fault is "404" or "empty" ? HttpStatusCode.NotFound : HttpStatusCode.BadGateway;
        Assert.True(response.StatusCode == expected, $"{kind} {fault}: {(int)response.StatusCode} {text}");
        Assert.Contains(kind.ToLowerInvariant(), text, StringComparison.OrdinalIgnoreCase);
        var says = fault switch
        {
            "down" => "could not be reached",
            "slow" => "did not answer in time",
            "404" or "empty" => "not found",
            "html" => "not JSON",
            _ => "not a trace",
        };
        Assert.Contains(says, text, StringComparison.Ordinal);

        // The service itself is unharmed.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
