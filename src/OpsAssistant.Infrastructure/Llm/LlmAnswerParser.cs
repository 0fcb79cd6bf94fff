using System.Text.Json;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Reads the model's reply into an <see cref="LlmAnswer"/>. Tolerates what OpenAI-compatible servers commonly add around the
/// JSON (code fences, a sentence before it) but nothing that changes its meaning; anything else is invalid output.
/// </summary>
public static class LlmAnswerParser
{
    private static readonly LlmJsonContext Json = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 16,
    });

    public static bool TryParse(string? content, out LlmAnswer answer, out string error)
    {
        answer = new LlmAnswer();
        if (string.IsNullOrWhiteSpace(content))
        {
            error = "the model returned an empty answer";
            return false;
        }

        var start = content.IndexOf('{', StringComparison.Ordinal);
        var end = content.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            error = "the model's answer holds no JSON object";
            return false;
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(content.AsSpan(start, end - start + 1), Json.LlmAnswer);
            if (parsed?.Hypotheses is null)
            {
                error = "the model's JSON has no 'hypotheses' array";
                return false;
            }

            answer = parsed;
            error = "";
            return true;
        }
        catch (JsonException ex)
        {
            error = $"the model's JSON does not match the answer schema ({ex.Message.Split('.')[0]})";
            return false;
        }
    }
}
