using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Server.Tests;

/// <summary>
/// A delivery's analyses and its alerts' sampling raises are stored together through a real Kestrel host and SQLite file:
/// one commit for the lot, a failing sampling write never fails the webhook, and a failing analysis leaves nothing behind.
/// </summary>
public sealed class WebhookIntakeTests : IDisposable
{
    private const string SiblingTrace = "7c4f1a90b3e84d2f9a6c5e8017b3d264";
    private readonly string _database = Path.Combine(Directory.CreateTempSubdirectory("opsassistant-intake-").FullName, "store.db");
    private readonly OpsAssistantHost _host;
    private readonly HttpClient _client;

    public WebhookIntakeTests()
    {
        _host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Storage:Path"] = _database,
            ["OpsAssistant:Webhooks:RunWorker"] = "false",
        });
        _client = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public void Dispose()
    {
        _client.Dispose();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task MultiAlertDelivery_QueuesEveryAnalysisAndRaisesOncePerAlert_InOneCommit()
    {
        await ActiveOverridesAsync();
        var repository = _host.Services.GetRequiredService<AnalysisRepository>();
        var before = repository.AcceptGroups;

        using var response = await PostAsync(Delivery("a1", "a2", "a3"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("analyses").GetArrayLength());
        Assert.Equal(1, repository.AcceptGroups - before);
        Assert.Equal(["alert a1", "alert a2", "alert a3"], (await ActiveOverridesAsync()).Select(o => o.GetProperty("createdBy").GetString()).Order(StringComparer.Ordinal));

        // Redelivered: the same analyses, and no alert raises checkout a second time while its raise is in force.
        using var again = await PostAsync(Delivery("a1", "a2", "a3"));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(3, (await ActiveOverridesAsync()).Count);
    }

    [Fact]
    public async Task SamplingWriteFails_TheDeliveryIsStillAcceptedAndItsAnalysesQueued()
    {
        await ActiveOverridesAsync();
        await ExecuteAsync("CREATE TRIGGER refuse_overrides BEFORE INSERT ON sampling_overrides BEGIN SELECT RAISE(ABORT, 'refused'); END");

        using var response = await PostAsync(Delivery("b1", "b2"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        foreach (var analysis in (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("analyses").EnumerateArray())
        {
            using var stored = await _client.GetAsync(new Uri($"api/analyses/{analysis.GetProperty("id").GetString()}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }

        Assert.Empty(await ActiveOverridesAsync());
    }

    [Fact]
    public async Task AnalysisWriteFails_TheDeliveryIs503AndNothingOfItStays_TheRetryTakesItAll()
    {
        await ActiveOverridesAsync();
        await ExecuteAsync("CREATE TRIGGER refuse_poison BEFORE INSERT ON analyses WHEN NEW.subject = 'Poison' BEGIN SELECT RAISE(ABORT, 'refused'); END");

        using (var refused = await PostAsync(Delivery("c1", "c2").Replace("\"alertname\":\"c2\"", "\"alertname\":\"Poison\"", StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        Assert.Empty(await ActiveOverridesAsync());
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM analyses"));

        await ExecuteAsync("DROP TRIGGER refuse_poison");
        using var retried = await PostAsync(Delivery("c1", "c2"));
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM analyses"));
        Assert.Equal(2, (await ActiveOverridesAsync()).Count);
    }

    /// <summary>An Alertmanager notification of firing alerts naming checkout and a trace, one per fingerprint (also its name).</summary>
    private static string Delivery(params string[] fingerprints) => $$"""
        {"version":"4","status":"firing","receiver":"opsassistant","groupLabels":{},"commonLabels":{},"commonAnnotations":{},
         "alerts":[{{string.Join(',', fingerprints.Select(f => $$"""
            {"status":"firing","labels":{"alertname":"{{f}}","service":"checkout","trace_id":"{{SiblingTrace}}"},"annotations":{},
             "startsAt":"2026-11-25T08:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus/graph","fingerprint":"{{f}}"}
            """))}}]}
        """;

    private Task<HttpResponseMessage> PostAsync(string body) =>
        _client.PostAsync(new Uri("webhooks/alertmanager", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>The overrides in force; also makes sure the host has created its schema.</summary>
    private async Task<List<JsonElement>> ActiveOverridesAsync() =>
        [.. (await _client.GetFromJsonAsync<JsonElement>(new Uri("api/sampling/overrides?active=true", UriKind.Relative))).EnumerateArray()];

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is a constant of the test.")]
    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The SQL is a constant of the test.")]
    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
