using System.Text.Json;

namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// Parses <c>expected.json</c>. Strict about what the match rule cannot do without: a <c>rootCause</c> that is either an
/// object with <c>service</c>, or an explicit <c>null</c> for a healthy trace (a missing <c>rootCause</c> is a mistake, not a
/// healthy case).
/// </summary>
public static class EvalExpectationReader
{
    /// <exception cref="FormatException">The JSON is malformed, lacks <c>rootCause</c>, or its <c>rootCause</c> object lacks <c>service</c>.</exception>
    public static EvalExpectation Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"expected.json is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("expected.json must be a JSON object");
            }

            if (!root.TryGetProperty("rootCause", out var cause))
            {
                throw new FormatException("expected.json has no rootCause (an object, or null for a healthy trace)");
            }

            if (cause.ValueKind == JsonValueKind.Null)
            {
                return new EvalExpectation(GetString(root, "traceId"), null, NullIfEmpty(GetString(root, "category")), NullIfEmpty(GetString(root, "family")));
            }

            if (cause.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("expected.json's rootCause must be an object, or null for a healthy trace");
            }

            var service = GetString(cause, "service");
            if (string.IsNullOrWhiteSpace(service))
            {
                throw new FormatException("expected.json has no rootCause.service");
            }

            return new EvalExpectation(
                GetString(root, "traceId"),
                new ExpectedRootCause(service, NullIfEmpty(GetString(cause, "span")), NullIfEmpty(GetString(cause, "kind"))),
                NullIfEmpty(GetString(root, "category")),
                NullIfEmpty(GetString(root, "family")));
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
