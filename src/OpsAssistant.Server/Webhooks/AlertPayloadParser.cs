using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Server.Webhooks;

/// <summary>
/// Reads Alertmanager webhook (payload version 4) and Grafana unified-alerting webhook bodies. Grafana's body is the
/// Alertmanager shape plus extras (<c>orgId</c>, <c>values</c>, <c>silenceURL</c>...), so one reader serves both and
/// ignores what it does not need.
/// </summary>
internal static partial class AlertPayloadParser
{
    private static readonly string[] TraceIdKeys = ["trace_id", "traceId", "traceID", "traceid"];

    public static IReadOnlyList<WebhookAlert> Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new AlertPayloadException($"The body is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            try
            {
                return ParseAlerts(document.RootElement);
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("UTF-", StringComparison.Ordinal))
            {
                // System.Text.Json finds bytes that are not UTF-8, or an escaped lone surrogate, only when a string is decoded.
                throw new AlertPayloadException($"The body holds text that is not valid UTF-8: {ex.Message}", ex);
            }
        }
    }

    private static List<WebhookAlert> ParseAlerts(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AlertPayloadException($"The body must be a JSON object with an 'alerts' array, not a {root.ValueKind}.");
        }

        if (!root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
        {
            throw new AlertPayloadException("The body has no 'alerts' array.");
        }

        var parsed = new List<WebhookAlert>(alerts.GetArrayLength());
        var index = 0;
        foreach (var alert in alerts.EnumerateArray())
        {
            parsed.Add(ParseAlert(alert, index++));
        }

        return parsed;
    }

    private static WebhookAlert ParseAlert(JsonElement alert, int index)
    {
        if (alert.ValueKind != JsonValueKind.Object)
        {
            throw new AlertPayloadException($"alerts[{index}] must be an object.");
        }

        var status = OptionalString(alert, "status", index)?.ToLowerInvariant();
        if (status is not ("firing" or "resolved"))
        {
            throw new AlertPayloadException($"alerts[{index}].status must be 'firing' or 'resolved'.");
        }

        var labels = StringMap(alert, "labels", index);
        var annotations = StringMap(alert, "annotations", index);
        DateTimeOffset? startsAt = null;
        if (OptionalString(alert, "startsAt", index) is { Length: > 0 } startsText)
        {
            if (!DateTimeOffset.TryParse(startsText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsedStart))
            {
                throw new AlertPayloadException($"alerts[{index}].startsAt is not an RFC 3339 timestamp.");
            }

            startsAt = parsedStart;
        }

        var fingerprint = OptionalString(alert, "fingerprint", index);
        return new WebhookAlert
        {
            Status = status,
            Labels = labels,
            Annotations = annotations,
            StartsAt = startsAt,
            Fingerprint = string.IsNullOrWhiteSpace(fingerprint) ? LabelFingerprint(labels) : fingerprint.Trim(),
            GeneratorUrl = OptionalString(alert, "generatorURL", index),
            TraceId = FindTraceId(labels) ?? FindTraceId(annotations),
        };
    }

    /// <summary>An explicit trace ID key wins; otherwise a trace link (Jaeger/Tempo <c>/trace/&lt;id&gt;</c>, or <c>traceId=&lt;id&gt;</c>) in any value.</summary>
    internal static string? FindTraceId(IReadOnlyDictionary<string, string> values)
    {
        foreach (var key in TraceIdKeys)
        {
            if (values.TryGetValue(key, out var value) && TraceId.TryParse(value, out var id))
            {
                return id.Value;
            }
        }

        foreach (var value in values.Values)
        {
            foreach (Match match in TraceLink().Matches(value))
            {
                if (TraceId.TryParse(match.Groups["id"].Value, out var id))
                {
                    return id.Value;
                }
            }
        }

        return null;
    }

    /// <summary>Stable across deliveries like Alertmanager's own fingerprint: a hash of the sorted label set.</summary>
    private static string LabelFingerprint(IReadOnlyDictionary<string, string> labels)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in labels.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('\u0000').Append(value).Append('\u0000');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 8));
    }

    private static string? OptionalString(JsonElement alert, string name, int index)
    {
        if (!alert.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new AlertPayloadException($"alerts[{index}].{name} must be a string.");
    }

    private static Dictionary<string, string> StringMap(JsonElement alert, string name, int index)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!alert.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return map;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new AlertPayloadException($"alerts[{index}].{name} must be an object of strings.");
        }

        foreach (var property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw new AlertPayloadException($"alerts[{index}].{name}.{property.Name} must be a string.");
        }

        return map;
    }

    [GeneratedRegex(@"(?:/traces?/|[?&]trace_?[iI][dD]=)(?<id>[0-9a-fA-F]{16,32})(?![0-9a-fA-F])", RegexOptions.CultureInvariant)]
    private static partial Regex TraceLink();
}
