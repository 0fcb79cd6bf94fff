using Microsoft.ML.Tokenizers;

namespace OpsAssistant.Core.Prompting;

/// <summary>Counts tokens with the o200k_base encoding (GPT-4o family), the budget unit of <c>MaxPromptTokens</c>.</summary>
public sealed class TokenCounter
{
    private static readonly Lazy<TokenCounter> Shared = new(() => new TokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base")));

    private readonly Tokenizer _tokenizer;

    private TokenCounter(Tokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary>The process-wide counter; loading the vocabulary takes ~100 ms warm and far longer cold, so it happens once.</summary>
    public static TokenCounter O200k => Shared.Value;

    /// <summary>
    /// Starts loading the vocabulary on a pool thread, so a process that will need it (a CLI analysis, the service's first
    /// request) does so while it reads and analyses the trace; <see cref="O200k"/> waits for a load in progress.
    /// </summary>
    public static Task Preload() => Task.Run(() => Shared.Value);

    public int Count(string text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);
}
