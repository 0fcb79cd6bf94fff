using OpsAssistant.Core.Analyses;
using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Model;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Results;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Tests.Prompting;

public sealed class OutputRedactionTests
{
    private const string Secret = "Tr0ub4dor-and-3";

    [Fact]
    public void Redact_ResultWithSecretsInEveryTextField_KeepsIdsAndNumbersAndRemovesTheSecrets()
    {
        var result = new AnalysisResult
        {
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            Summary = $"login password={Secret} failed",
            Degraded = $"timeout after password={Secret}",
            Warnings = [$"orphan span named password={Secret}"],
            Hypotheses =
            [
                new Hypothesis
                {
                    Rank = 1, Title = $"GET /login?password={Secret}", Category = Categories.Error, Confidence = 0.8,
                    Service = "auth", Operation = $"GET /login?password={Secret}", SpanIds = ["00f067aa0ba902b7"],
                    Evidence = [$"status: password={Secret}"], Remediation = $"rotate password={Secret}",
                },
            ],
        };

        var redacted = SecretRedactor.Default.Redact(result);
        var json = System.Text.Json.JsonSerializer.Serialize(redacted, ResultJson.Options);

        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.Equal(result.AnalysisId, redacted.AnalysisId);
        Assert.Equal(["00f067aa0ba902b7"], redacted.Hypotheses[0].SpanIds);
        Assert.Equal(0.8, redacted.Hypotheses[0].Confidence);
        Assert.Equal("auth", redacted.Hypotheses[0].Service);
    }

    [Fact]
    public void Redact_RecordWithSecretInSubjectAndError_RemovesThem()
    {
        var record = new AnalysisRecord { Id = "a1", CreatedAt = DateTimeOffset.UtcNow, TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", Subject = $"alert password={Secret}", Error = $"source said password={Secret}" };

        var redacted = SecretRedactor.Default.Redact(record);

        Assert.DoesNotContain(Secret, redacted.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, redacted.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RedactSpans_TraceWithSecrets_WritesTheSameStructureWithoutThem()
    {
        var resource = new Resource("auth", [new Attribute("service.name", "auth"), new Attribute("deploy.token", "dt-123456789")]);
        Span Make(string id, string? parent) => new()
        {
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736", SpanId = id, ParentSpanId = parent, Name = $"GET /login?password={Secret}",
            StartUnixNano = 1, EndUnixNano = 2, Status = SpanStatusCode.Error, StatusMessage = $"password={Secret}", Resource = resource,
            Attributes = [new Attribute("user.password", Secret), new Attribute("http.status_code", 500L), new Attribute("tags", new object?[] { $"password={Secret}", 1L })],
            Events = [new SpanEvent("exception", 3, [new Attribute("exception.message", $"rejected: password={Secret}")])],
        };
        Span[] spans = [Make("00f067aa0ba902b7", null), Make("00f067aa0ba902b8", "00f067aa0ba902b7")];

        var raw = System.Text.Encoding.UTF8.GetString(OtlpJsonWriter.ToUtf8Bytes(spans));
        var redacted = System.Text.Encoding.UTF8.GetString(OtlpJsonWriter.ToUtf8Bytes(SecretRedactor.Default.RedactSpans(spans)));

        Assert.Contains(Secret, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("dt-123456789", redacted, StringComparison.Ordinal);
        var back = TraceReader.Read(System.Text.Encoding.UTF8.GetBytes(redacted)).Traces.Single();
        Assert.Equal(2, back.Spans.Count);
        Assert.Single(back.Spans.Select(s => s.Resource).Distinct());
        Assert.Equal(500L, back.Spans[0].GetAttribute("http.status_code"));
    }
}
