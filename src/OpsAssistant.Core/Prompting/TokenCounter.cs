using Microsoft.ML.Tokenizers;

namespace OpsAssistant.Core.Prompting;

/// <summary>Counts tokens with the o200k_base encoding (GPT-4o family), the budget unit of <c>MaxPromptTokens</c>.</summary>
public sealed class TokenCounter
{
    private static readonly Lazy<TokenCounter> Shared = new(() => new TokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base")));

    private readonly Tokenizer _tokenizer;

    private TokenCounter(Tokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary>The process-wide counter; loading the vocabulary takes ~100 ms, so it happens once.</summary>
    public static TokenCounter O200k => Shared.Value;

    public int Count(string text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);
}
