using System.Text;
using OpsAssistant.Server.Webhooks;

namespace OpsAssistant.Server.Tests;

/// <summary>The shared Alertmanager and Grafana payloads (Fixtures/alerts) and the trace-ID rules.</summary>
public sealed class AlertPayloadParserTests
{
    [Theory]
    [InlineData("alertmonitor_captured_firing.json", 3, "firing")]
    [InlineData("alertmonitor_captured_resolved.json", 3, "resolved")]
    [InlineData("am_exec_notifier_success.json", 1, "firing")]
    [InlineData("grafana-oncall_alertmanager_example_payload.json", 2, "firing")]
    [InlineData("grafana_docs_webhook_payload_example.json", 2, "firing")]
    public async Task Parse_SharedPayload_ReadsEveryAlertWithItsStatus(string fixture, int count, string status)
    {
        var alerts = AlertPayloadParser.Parse(await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "alerts", fixture)));

        Assert.Equal(count, alerts.Count);
        Assert.All(alerts, alert => Assert.Equal(status, alert.Status));
        Assert.All(alerts, alert => Assert.False(string.IsNullOrEmpty(alert.Fingerprint)));
        Assert.All(alerts, alert => Assert.Null(alert.TraceId));
    }

    [Fact]
    public async Task Parse_GrafanaPayload_KeepsLabelsAnnotationsStartAndFingerprint()
    {
        var alerts = AlertPayloadParser.Parse(await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "alerts", "grafana_docs_webhook_payload_example.json")));

        var first = alerts[0];
        Assert.Equal("High memory usage", first.Name);
        Assert.Equal("us-1", first.Labels["zone"]);
        Assert.Equal("https://myrunbook.com/runbook/1234", first.Annotations["runbook_url"]);
        Assert.Equal(new DateTimeOffset(2021, 10, 12, 7, 51, 3, 157, TimeSpan.Zero).AddTicks(760), first.StartsAt);
        Assert.Equal("c6eadffa33fcdf37", first.Fingerprint);
        Assert.Equal("https://play.grafana.org/alerting/1afz29v7z/edit", first.GeneratorUrl);
    }

    [Fact]
    public async Task Parse_AlertsWithoutFingerprint_DeriveDistinctStableOnesFromLabels()
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "alerts", "alertmonitor_captured_firing.json"));

        var first = AlertPayloadParser.Parse(bytes);
        var again = AlertPayloadParser.Parse(bytes);

        Assert.Equal(first.Select(a => a.Fingerprint), again.Select(a => a.Fingerprint));
        Assert.Equal(3, first.Select(a => a.Fingerprint).Distinct().Count());
    }

    [Theory]
    [InlineData("\"labels\":{\"trace_id\":\"7C4F1A90B3E84D2F9A6C5E8017B3D264\"}", "7c4f1a90b3e84d2f9a6c5e8017b3d264")]
    [InlineData("\"annotations\":{\"traceID\":\"9a6c5e8017b3d264\"}", "00000000000000009a6c5e8017b3d264")]
    [InlineData("\"annotations\":{\"runbook\":\"see https://jaeger/trace/7c4f1a90b3e84d2f9a6c5e8017b3d264?x=1\"}", "7c4f1a90b3e84d2f9a6c5e8017b3d264")]
    [InlineData("\"annotations\":{\"link\":\"https://grafana/explore?traceId=7c4f1a90b3e84d2f9a6c5e8017b3d264&orgId=1\"}", "7c4f1a90b3e84d2f9a6c5e8017b3d264")]
    [InlineData("\"labels\":{\"trace_id\":\"not-a-trace\"}", null)]
    public void Parse_TraceIdInLabelsAnnotationsOrLink_IsFoundAndNormalised(string fields, string? expected)
    {
        var alerts = AlertPayloadParser.Parse(Encoding.UTF8.GetBytes($"{{\"alerts\":[{{\"status\":\"firing\",{fields}}}]}}"));

        Assert.Equal(expected, alerts[0].TraceId);
    }

    [Theory]
    [InlineData("{\"alerts\":[", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("{\"status\":\"firing\"}", "'alerts'")]
    [InlineData("{\"alerts\":[{\"status\":\"burning\"}]}", "alerts[0].status")]
    [InlineData("{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":1}}]}", "alerts[0].labels.a")]
    [InlineData("{\"alerts\":[{\"status\":\"firing\",\"startsAt\":\"yesterday\"}]}", "alerts[0].startsAt")]
    public void Parse_Malformed_ThrowsNamingWhatIsWrong(string body, string named)
    {
        var ex = Assert.Throws<AlertPayloadException>(() => AlertPayloadParser.Parse(Encoding.UTF8.GetBytes(body)));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }
}
