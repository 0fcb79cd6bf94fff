using System.Net;
using System.Text.Json;

namespace OpsAssistant.Server.Tests;

/// <summary><c>/traces/{id}</c>, the path form of the page's deep link, as a trace UI's link template uses it.</summary>
public sealed class DeepLinkTests : IDisposable
{
    private readonly OpsAssistantHost _host = new(new() { ["OpsAssistant:Security:ApiKeys:0"] = "deeplink-key-0123456789" });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task TracesPath_ValidId_RedirectsRelativelyToThePageWithoutNeedingAKey()
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _host.BaseAddress };

        using var response = await client.GetAsync("/traces/7C4F1A90B3E84D2F9A6C5E8017B3D264");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("../?traceId=7c4f1a90b3e84d2f9a6c5e8017b3d264", response.Headers.Location!.OriginalString);
        Assert.Equal("/?traceId=7c4f1a90b3e84d2f9a6c5e8017b3d264", new Uri(new Uri("http://h/traces/7c4f"), response.Headers.Location).PathAndQuery);
    }

    [Theory]
    [InlineData("/traces/xyz")]
    [InlineData("/traces/%3Cscript%3E")]
    public async Task TracesPath_MalformedId_IsAProblemNamingTraceId(string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _host.BaseAddress };

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("traceId", out _));
    }
}
