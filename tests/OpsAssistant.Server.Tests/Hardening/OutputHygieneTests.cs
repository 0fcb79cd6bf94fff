using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// What the service prints and sends besides its answers: security headers on the page and the API, a refused start that
/// says why in one line and exits 2, a client's own fault logged without a stack trace, and protobuf lengths checked.
/// </summary>
public sealed class OutputHygieneTests
{
    [Fact]
    public async Task Responses_PageAndApi_CarrySecurityHeadersAndApiAnswersAreNeverCached()
    {
        using var host = new OpsAssistantHost();
        using var client = host.CreateClient();

        using var page = await client.GetAsync(new Uri("/", UriKind.Relative));
        using var api = await client.GetAsync(new Uri("api/traces", UriKind.Relative));

        foreach (var response in new[] { page, api })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }

        Assert.True(api.Headers.CacheControl?.NoStore, "API answers must carry Cache-Control: no-store");
    }

    [Fact]
    public async Task Ingest_ProtobufLengthOfTwoToThe63_Is400()
    {
        using var host = new OpsAssistantHost();
        using var client = host.CreateClient();
        using var content = new ByteArrayContent([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
        content.Headers.ContentType = new("application/x-protobuf");

        using var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("OpsAssistant:Storage:Provider", "Mongo", "OpsAssistant:Storage:Provider")]
    [InlineData("OpsAssistant:Security:WebhookHmacSecret", "too-short", "OpsAssistant:Security:WebhookHmacSecret")]
    [InlineData("ASPNETCORE_URLS", "http://0.0.0.0:0", "OpsAssistant:Security:ApiKeys")]
    public async Task Start_RefusedConfiguration_ExitsWithCode2AndOneLineNamingTheKey(string key, string value, string named)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync(new Dictionary<string, string> { [key] = value });

        Assert.Equal(2, exitCode);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_ClientTooSlowToSendItsBody_Gets408LoggedInOneLineWithoutAStackTrace()
    {
        var logs = new CapturingLoggerProvider();
        using var host = new OpsAssistantHost(new() { ["Logging:LogLevel:Default"] = "Information" }, services => services.AddSingleton<ILoggerProvider>(logs));
        _ = host.BaseAddress;
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var stream = socket.GetStream();

        // Headers and a first piece of the body, then nothing: Kestrel's minimum body data rate ends it after its grace period.
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"resourceSpans\":"));
        await stream.FlushAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!logs.Lines.Any(l => l.Contains("refused with 408", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Contains(logs.Lines, l => l.Contains("refused with 408", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("BadHttpRequestException", StringComparison.Ordinal) && l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverrideReason_WithLineBreaksAndTerminalEscapes_IsStoredAndLoggedEscaped()
    {
        using var server = await ServerProcess.StartAsync(new Dictionary<string, string>());
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["service"] = "checkout", ["rate"] = 1, ["ttl"] = "30m", ["reason"] = "INC-1\r\nfail: Forged[0] the service is down\u001b[2J",
        }.ToJsonString();

        using var created = await client.PostAsync(new Uri("api/sampling/overrides", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audit = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync(new Uri("api/sampling/overrides", UriKind.Relative)))!;
        var reason = audit[0]!["reason"]!.GetValue<string>();
        await Task.Delay(500);

        Assert.DoesNotContain(reason, c => char.IsControl(c));
        Assert.Contains("\\r\\nfail: Forged", reason, StringComparison.Ordinal);
        Assert.Contains("INC-1", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Output.Split('\n'), l => l.StartsWith("fail: Forged", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', server.Output);
    }
}
