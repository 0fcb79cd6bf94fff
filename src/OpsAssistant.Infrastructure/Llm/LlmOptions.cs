using System.ComponentModel.DataAnnotations;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary><c>OpsAssistant:Llm</c>: the model that improves the heuristic answer. Defaults need nothing external.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "OpsAssistant:Llm";

    public LlmProvider Provider { get; set; } = LlmProvider.None;

    /// <summary>Azure resource endpoint, or the base URL of an OpenAI-compatible server (e.g. <c>http://localhost:11434/v1</c>).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Model name sent to OpenAI and OpenAI-compatible servers.</summary>
    public string? Model { get; set; }

    /// <summary>Azure OpenAI deployment name (falls back to <see cref="Model"/>).</summary>
    public string? Deployment { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Budget for the whole prompt, counted with the o200k tokenizer.</summary>
    [Range(500, 200_000)]
    public int MaxPromptTokens { get; set; } = 3000;

    [Range(64, 32_000)]
    public int MaxOutputTokens { get; set; } = 1200;

    [Range(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>Per-attempt timeout. LLM replies take tens of seconds, so the resilience default of 10 s is too short.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt (429, 5xx, timeouts); Retry-After is honoured.</summary>
    [Range(0, 6)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Base delay of the exponential backoff when the server sends no Retry-After.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Ask for a streamed reply (usage still recorded from the final chunk).</summary>
    public bool Stream { get; set; }

    /// <summary>Identical analyses within this window are answered from cache without a second LLM call.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>USD per million tokens by model name, for the cost estimate.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Record prompt and completion text on GenAI spans. Off by default: traces may carry customer data.</summary>
    public bool RecordContent { get; set; }

    public string ModelOrDeployment => Provider == LlmProvider.AzureOpenAI ? Deployment ?? Model ?? "" : Model ?? "";

    public bool IsEnabled => Provider != LlmProvider.None;
}
