using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsAssistant.Infrastructure.Tests.Sources;
using OpsAssistant.Server.Tests.Hardening;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// An authenticated trace backend (a multi-tenant Tempo behind a gateway, Grafana Cloud with basic auth, a Jaeger behind a
/// token proxy): a Kestrel stand-in that answers 401 unless the request carries what it demands. The service sends the
/// configured credentials, and without them the user's error names the source and the status; secrets are never logged.
/// </summary>
public sealed class TraceSourceCredentialsTests
{
    private const string TraceId = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private const string Secret = "s3cr3t-t0ken-value-9f8e7d";

    public static TheoryData<string, string, string, string> Credentials() => new()
    {
        // configuration key, its value, the header the backend demands, the value it demands
        { "BearerToken", Secret, "Authorization", "Bearer " + Secret },
        { "OrgId", "tenant-" + Secret, "X-Scope-OrgID", "tenant-" + Secret },
        { "Headers:X-Gateway-Key", Secret, "X-Gateway-Key", Secret },
    };

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task PostAnalysis_BackendDemandingAHeader_GetsItFromConfiguration(string key, string value, string header, string expected)
    {
        await using var backend = await BackendStub.StartAsync();
        backend.RequiredHeaders[header] = expected;
        backend.Answer($"/api/traces/{TraceId}", 200, Fixture());
        using var host = Host(backend, new() { [$"OpsAssistant:TraceSource:{key}"] = value });
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/analyses", new { traceId = TraceId });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostAnalysis_BasicAuthAndOrgIdTogether_AreBothSent()
    {
        await using var backend = await BackendStub.StartAsync();
        backend.RequiredHeaders["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("123456:" + Secret));
        backend.RequiredHeaders["X-Scope-OrgID"] = "team-a";
        backend.Answer($"/api/traces/{TraceId}", 200, Fixture());
        using var host = Host(backend, new()
        {
            ["OpsAssistant:TraceSource:Username"] = "123456",
            ["OpsAssistant:TraceSource:Password"] = Secret,
            ["OpsAssistant:TraceSource:OrgId"] = "team-a",
        });
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/analyses", new { traceId = TraceId });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostAnalysis_WrongOrMissingCredentials_IsAProblemNamingTheSourceAndStatus_AndNothingLogsTheSecret()
    {
        await using var backend = await BackendStub.StartAsync();
        backend.RequiredHeaders["Authorization"] = "Bearer the-right-one";
        backend.Answer($"/api/traces/{TraceId}", 200, Fixture());
        var logs = new CapturingLoggerProvider();
        using var host = Host(backend, new() { ["OpsAssistant:TraceSource:BearerToken"] = Secret, ["Logging:LogLevel:Default"] = "Trace" },
            services => services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/analyses", new { traceId = TraceId });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith("tempo answered", detail, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", detail, StringComparison.Ordinal);
        Assert.Contains("OpsAssistant:TraceSource:BearerToken", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, detail, StringComparison.Ordinal);
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(Secret, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("OpsAssistant:TraceSource:Username", "alice", "OpsAssistant:TraceSource:Password")]
    [InlineData("OpsAssistant:TraceSource:Headers:Bad Header", Secret, "OpsAssistant:TraceSource:Headers:Bad Header")]
    [InlineData("OpsAssistant:TraceSource:Headers:Authorization", Secret, "OpsAssistant:TraceSource:Headers:Authorization")]
    public void Start_UnusableCredentials_FailsNamingTheKeyButNotTheSecret(string key, string value, string named)
    {
        var error = StartupCheck.Refusal(new()
        {
            [key] = value,
            ["OpsAssistant:TraceSource:BearerToken"] = key.EndsWith("Authorization", StringComparison.Ordinal) ? "other" : null,
            ["OpsAssistant:TraceSource:Kind"] = "Tempo",
            ["OpsAssistant:TraceSource:Url"] = "http://127.0.0.1:3200/",
        });

        Assert.NotNull(error);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error, StringComparison.Ordinal);
    }

    private static OpsAssistantHost Host(BackendStub backend, Dictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        settings["OpsAssistant:TraceSource:Kind"] = "Tempo";
        settings["OpsAssistant:TraceSource:Url"] = backend.BaseAddress.ToString();
        settings["OpsAssistant:TraceSource:MaxRetries"] = "0";
        return new OpsAssistantHost(settings, services);
    }

    private static string Fixture() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sibling_errors.json"));
}
