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

        // It keeps sending white space above Kestrel's minimum body data rate (240 bytes/s after 5 s), so the server does
        // not drop it as too slow while the probes below wait for their turn on a busy machine.
        using var stopTrickle = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            var spaces = Encoding.ASCII.GetBytes(new string(' ', 128));
            try
            {
                while (!stopTrickle.IsCancellationRequested)
                {
                    await stream.WriteAsync(spaces, stopTrickle.Token);
                    await Task.Delay(100, stopTrickle.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Stopped, or the connection is gone: either way the sender is done.
            }
        });

        // Probes go only once the slow request holds the whole budget: a probe in flight while it reserves would hold a few
        // bytes of it and get the slow request refused instead.
        var budget = host.Services.GetRequiredService<OpsAssistant.Server.Ingest.IngestMemoryBudget>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (budget.Used < Budget && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(Budget, budget.Used);
        using var probe = new StringContent("{}", Encoding.UTF8, "application/json");
        var refused = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), probe);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

        using (refused)
        {
            Assert.Equal("3", refused.Headers.RetryAfter?.ToString());
            Assert.Contains("OpsAssistant:Ingest:MaxBufferedBytes", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await stopTrickle.CancelAsync();
        await trickle;
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

    /// <summary>
    /// A body of unknown length (gzip, or chunked) three quarters the size of the whole budget: it is charged once, so it
    /// fits. (Charged for its chunks and again for the array they are joined into, nothing over half the budget did.)
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ingest_BodyOfUnknownLengthOfMostOfTheBudget_IsAccepted(bool gzip)
    {
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Ingest:MaxRequestBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OpsAssistant:Ingest:MaxDecompressedBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OpsAssistant:Ingest:MaxBufferedBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = host.CreateClient();
        var span = new OpsAssistant.Core.Model.Span
        {
            TraceId = "5cf92f3577b34da6a3ce929d0e0e4737", SpanId = "1000000000000001", Name = "GET /cart",
            StartUnixNano = 1_764_000_000_000_000_000, EndUnixNano = 1_764_000_000_000_000_100, Resource = new OpsAssistant.Core.Model.Resource("cart"),
        };
        var json = OtlpJsonWriter.ToUtf8Bytes([span]);
        var body = new byte[Budget * 3 / 4];
        Array.Fill(body, (byte)' ');
        json.CopyTo(body, 0);

        HttpContent content;
        if (gzip)
        {
            using var packed = new MemoryStream();
            await using (var zip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                await zip.WriteAsync(body);
            }

            content = new ByteArrayContent(packed.ToArray());
            content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            // A stream that cannot seek has no length to announce.
            content = new StreamContent(System.IO.Pipelines.PipeReader.Create(new System.Buffers.ReadOnlySequence<byte>(body)).AsStream());
        }

        using (content)
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("v1/traces", UriKind.Relative)) { Content = content })
        {
            content.Headers.ContentType = new("application/json");

            // Chunked, without Content-Length: the server cannot know the size before it has read the body.
            request.Headers.TransferEncodingChunked = true;
            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.NotNull(await host.Services.GetRequiredService<ITraceStore>().GetTraceAsync("5cf92f3577b34da6a3ce929d0e0e4737"));
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
