using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Baselines;

namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// Parses a case's <c>baseline.json</c> (docs/eval.md, "baseline.json"): per operation either its quantiles, error rate and
/// count as a baseline source would report them, or the durations of prior calls, which are sketched as the embedded store
/// sketches them. Strict: a baseline the case silently misread would score the engine on the wrong history.
/// </summary>
public static class EvalBaselineReader
{
    public const string FileName = "baseline.json";

    /// <summary>What <see cref="HypothesisBaseline.Source"/> says for a case's baselines.</summary>
    public const string Source = "case";

    /// <exception cref="FormatException">Malformed JSON, or a field missing or out of range; the message names it.</exception>
    public static BaselineSet Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{FileName} is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{FileName} must be a JSON object");
            }

            var from = Time(root, "from", null, "from");
            var to = Time(root, "to", null, "to");
            if (!root.TryGetProperty("operations", out var operations) || operations.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{FileName} has no operations array");
            }

            var list = new List<OperationBaseline>();
            var n = 0;
            foreach (var op in operations.EnumerateArray())
            {
                list.Add(Operation(op, $"operations[{n}]", from, to));
                n++;
            }

            return new BaselineSet(list, Source);
        }
    }

    private static OperationBaseline Operation(JsonElement op, string at, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (op.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{FileName}: {at} must be an object");
        }

        var service = RequiredString(op, "service", at);
        var operation = RequiredString(op, "operation", at);
        var kindName = op.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : "unspecified";
        if (!OperationKey.TryParseKind(kindName, out var kind))
        {
            throw new FormatException($"{FileName}: {at}.kind must be server, client, internal, producer, consumer or unspecified, not '{kindName}'");
        }

        var opFrom = Time(op, "from", from, at + ".from") ?? throw new FormatException($"{FileName}: {at} has no from (and the file none)");
        var opTo = Time(op, "to", to, at + ".to") ?? throw new FormatException($"{FileName}: {at} has no to (and the file none)");
        if (opTo < opFrom)
        {
            throw new FormatException($"{FileName}: {at}.to is before its from");
        }

        var key = new OperationKey(service, operation, kind);
        if (op.TryGetProperty("durationsMs", out var durations))
        {
            if (durations.ValueKind != JsonValueKind.Array || durations.GetArrayLength() == 0)
            {
                throw new FormatException($"{FileName}: {at}.durationsMs must be a non-empty array of milliseconds");
            }

            var sketch = new QuantileSketch();
            foreach (var d in durations.EnumerateArray())
            {
                if (d.ValueKind != JsonValueKind.Number || d.GetDouble() < 0)
                {
                    throw new FormatException($"{FileName}: {at}.durationsMs holds something that is not a duration in milliseconds");
                }

                sketch.Add(d.GetDouble());
            }

            var errors = op.TryGetProperty("errors", out var e) ? Number(e, at + ".errors", 0, sketch.Count) : 0;
            return OperationBaseline.FromSketch(key, sketch, (long)errors, opFrom, opTo);
        }

        var p50 = Number(Required(op, "p50Ms", at), at + ".p50Ms", 0, double.MaxValue);
        var p90 = Number(Required(op, "p90Ms", at), at + ".p90Ms", p50, double.MaxValue);
        var p99 = Number(Required(op, "p99Ms", at), at + ".p99Ms", p90, double.MaxValue);
        return new OperationBaseline
        {
            Service = service,
            Operation = operation,
            Kind = kind,
            P50Ms = p50,
            P90Ms = p90,
            P99Ms = p99,
            ErrorRate = op.TryGetProperty("errorRate", out var rate) ? Number(rate, at + ".errorRate", 0, 1) : 0,
            Count = (long)Number(Required(op, "count", at), at + ".count", 1, long.MaxValue),
            From = opFrom,
            To = opTo,
        };
    }

    private static JsonElement Required(JsonElement op, string name, string at) =>
        op.TryGetProperty(name, out var value) ? value : throw new FormatException($"{FileName}: {at} has no {name} (give p50Ms, p90Ms, p99Ms and count, or durationsMs)");

    private static string RequiredString(JsonElement op, string name, string at) =>
        op.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"{FileName}: {at}.{name} must be a non-empty string");

    private static double Number(JsonElement value, string at, double min, double max) =>
        value.ValueKind == JsonValueKind.Number && value.GetDouble() is var d && d >= min && d <= max
            ? d
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{FileName}: {at} must be a number from {min} to {max}"));

    private static DateTimeOffset? Time(JsonElement element, string name, DateTimeOffset? fallback, string at)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return fallback;
        }

        return value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new FormatException($"{FileName}: {at} must be an ISO 8601 time");
    }
}
