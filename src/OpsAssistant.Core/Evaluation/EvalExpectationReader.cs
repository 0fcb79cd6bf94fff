using System.Text.Json;

namespace OpsAssistant.Core.Evaluation;

/// <summary>Parses <c>expected.json</c>. Strict about the one field the match rule cannot do without (<c>rootCause.service</c>).</summary>
public static class EvalExpectationReader
{
    /// <exception cref="FormatException">The JSON is malformed or lacks <c>rootCause.service</c>.</exception>
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

            if (!root.TryGetProperty("rootCause", out var cause) || cause.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("expected.json has no rootCause object");
            }

            var service = GetString(cause, "service");
            if (string.IsNullOrWhiteSpace(service))
            {
                throw new FormatException("expected.json has no rootCause.service");
            }

            return new EvalExpectation(
                GetString(root, "traceId"),
                new ExpectedRootCause(service, NullIfEmpty(GetString(cause, "span")), NullIfEmpty(GetString(cause, "kind"))),
                NullIfEmpty(GetString(root, "category")));
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
