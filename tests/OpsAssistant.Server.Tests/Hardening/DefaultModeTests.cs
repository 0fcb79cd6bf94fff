using System.Net;
using System.Text;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// What the service trusts when nobody configured it: requests for loopback names only (a DNS-rebinding page cannot read
/// traces), webhooks only as application/json (a cross-origin form or text/plain POST cannot raise sampling), and, once
/// API keys are set, no anonymous webhook on any interface.
/// </summary>
public sealed class DefaultModeTests
{
    private const string Alert = """{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"CheckoutErrors","service":"checkout","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"},"startsAt":"2026-11-25T08:00:00Z"}]}""";

    [Theory]
    [InlineData("evil.example", HttpStatusCode.BadRequest)]
    [InlineData("rebind.attacker.test:8080", HttpStatusCode.BadRequest)]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("127.0.0.1:8080", HttpStatusCode.OK)]
    [InlineData("[::1]", HttpStatusCode.OK)]
    public async Task AnyRoute_HostHeaderByDefault_OnlyLoopbackNamesAreAnswered(string hostHeader, HttpStatusCode expected)
    {
        using var host = new OpsAssistantHost();
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/traces", UriKind.Relative));
        request.Headers.Host = hostHeader;

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task AnyRoute_AllowedHostsConfigured_ThatNameIsAnswered()
    {
        using var host = new OpsAssistantHost(new() { ["AllowedHosts"] = "rca.example.com" });
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/traces", UriKind.Relative));
        request.Headers.Host = "rca.example.com";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task Webhook_NotJson_Is415AndQueuesNothing(string contentType)
    {
        using var host = new OpsAssistantHost();
        using var client = host.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Alert));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.PostAsync(new Uri("webhooks/alertmanager", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("[]", await client.GetStringAsync(new Uri("api/sampling/overrides", UriKind.Relative)));
    }

    [Fact]
    public async Task Webhook_ApiKeysSetButNoWebhookCredentials_IsRefusedEvenOnLoopback()
    {
        using var host = new OpsAssistantHost(new() { ["OpsAssistant:Security:ApiKeys:0"] = "k3y-for-the-api-0123456789" });
        using var client = host.CreateClient();

        using var response = await client.PostAsync(new Uri("webhooks/alertmanager", UriKind.Relative), new StringContent(Alert, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("OpsAssistant:Security:WebhookToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
