using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// The server-wide budget for request bodies: while one export holds it, the next is refused with 503 and Retry-After (not
/// buffered), and once the first is done the budget is whole again. A stored trace streams back byte for byte as written.
/// </summary>
public sealed class MemoryBudgetTests
{
    private const int Budget = 1024 * 1024;

    [Fact]
    public async Task Ingest_BudgetHeldByAnUnfinishedBody_RefusesTheNextWith503AndRetryAfterThenRecovers()
    {
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Ingest:MaxRequestBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OpsAssistant:Ingest:MaxDecompressedBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OpsAssistant:Ingest:MaxBufferedBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OpsAssistant:Ingest:BudgetRetryAfterSeconds"] = "3",

            // Two readers, so the next body is turned away by the budget rather than left waiting for a reader.
            ["OpsAssistant:Ingest:MaxConcurrentBodies"] = "2",
        });
        using var client = host.CreateClient();

        // A slow sender: its headers announce the largest body allowed, and it is still sending.
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {Budget}\r\n\r\n{{\"resourceSpans\":["));

        HttpResponseMessage? refused = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (refused is null && DateTime.UtcNow < deadline)
        {
            using var body = new StringContent("{}", Encoding.UTF8, "application/json");
            var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), body);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                refused = response;
            }
            else
            {
                // The slow request may not have reached the endpoint yet.
                response.Dispose();
                await Task.Delay(50);
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.Equal("3", refused.Headers.RetryAfter?.ToString());
            Assert.Contains("OpsAssistant:Ingest:MaxBufferedBytes", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        slow.Dispose();
        deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            using var body = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), body);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(50);
            }
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task GetTrace_LargeStoredTrace_StreamsTheSameBytesAsTheWholeDocument()
    {
        using var host = new OpsAssistantHost();
        using var client = host.CreateClient();
        var resource = new OpsAssistant.Core.Model.Resource("checkout");
        var spans = Enumerable.Range(0, 5_000).Select(i => new OpsAssistant.Core.Model.Span
        {
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", SpanId = (0x1000_0000_0000_0000L + i).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            ParentSpanId = i == 0 ? null : "1000000000000000", Name = "GET /items/" + i, StartUnixNano = 1_764_000_000_000_000_000 + i,
            EndUnixNano = 1_764_000_000_000_000_000 + i + 10, Resource = resource,
        }).ToList();
        using (var content = new ByteArrayContent(OtlpJsonWriter.ToUtf8Bytes(spans)))
        {
            content.Headers.ContentType = new("application/json");
            (await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content)).EnsureSuccessStatusCode();
        }

        var served = await client.GetByteArrayAsync(new Uri("api/traces/4bf92f3577b34da6a3ce929d0e0e4736", UriKind.Relative));

        var stored = await host.Services.GetRequiredService<ITraceStore>().GetTraceAsync("4bf92f3577b34da6a3ce929d0e0e4736");
        Assert.True(served.Length > 4 * OtlpJsonWriter.FlushBytes);
        Assert.Equal(OtlpJsonWriter.ToUtf8Bytes(stored!.Spans), served);
    }
}
