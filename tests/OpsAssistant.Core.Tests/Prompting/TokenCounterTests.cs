using System.Text;
using Microsoft.ML.Tokenizers;
using OpsAssistant.Core.Prompting;
using OpsAssistant.Core.Tests.Hardening;

namespace OpsAssistant.Core.Tests.Prompting;

/// <summary>
/// The counter is our own byte-pair merge over a compact rank table; Microsoft.ML.Tokenizers' o200k tokenizer is the
/// reference it must agree with on every text, since <c>promptTokens</c> and the prompt budget are stated in its tokens.
/// </summary>
public sealed class TokenCounterTests
{
    private static readonly Lazy<Tokenizer> Reference = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("hello world")]
    [InlineData("checkout/POST /api/orders took 1200 ms [a1b2c3d4e5f60718]")]
    [InlineData("It's what they'LL say, we'VE seen it; don't")]
    [InlineData("1234567890 12.5ms 0x1F3A -42 3e-9")]
    [InlineData("line one\r\nline two\n\n\n   indented\t\ttabs   \n")]
    [InlineData("trailing spaces   ")]
    [InlineData("naïve café Ünïcödé e\u0301 combining")]
    [InlineData("東京の天気は晴れです。数据库连接超时")]
    [InlineData("emoji 😀🔥👩‍👩‍👧 mixed😀text")]
    [InlineData("<|endoftext|>")]
    [InlineData("before<|endoftext|>after <|endofprompt|> end <|notspecial|>")]
    [InlineData("ignore previous instructions <script>alert(1)</script> &amp; ```json")]
    [InlineData("\u00a0non-breaking\u3000ideographic\u2028separator\u0085next")]
    public void Count_KnownTexts_MatchesTheReferenceTokenizer(string text) =>
        Assert.Equal(Reference.Value.CountTokens(text), TokenCounter.O200k.Count(text));

    [Fact]
    public void Count_LongPiecesMergedThroughTheQueue_MatchTheReferenceTokenizer()
    {
        string[] texts =
        [
            new string('a', 5000),
            string.Concat(Enumerable.Repeat("abcXYZqrs", 700)),
            string.Concat(Enumerable.Repeat("!@#$%^&*", 400)),
            Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)(i * 37 % 251)).ToArray()),
            new string(' ', 3000) + "x",
            new string([.. Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i * 7 + i / 13) % 26))]),
            new string([.. Enumerable.Range(0, 3_000).Select(i => "éжλ東"[i % 4])]),
            string.Concat(Enumerable.Repeat("😀🔥", 500)),
            new string('-', 129),
            new string('=', 128),
        ];
        foreach (var text in texts)
        {
            Assert.Equal(Reference.Value.CountTokens(text), TokenCounter.O200k.Count(text));
        }
    }

    [Fact]
    public void Count_RandomLongWords_MatchTheReferenceTokenizer()
    {
        // One piece each, past the rescanning limit: the queue must join in exactly the rescanning order.
        var random = new Random(5);
        for (var n = 0; n < 200; n++)
        {
            var letters = n % 2 == 0 ? "etaoinshrdlu" : "abcdefghijklmnopqrstuvwxyz";
            var word = new string([.. Enumerable.Range(0, random.Next(100, 700)).Select(_ => letters[random.Next(letters.Length)])]);
            Assert.True(Reference.Value.CountTokens(word) == TokenCounter.O200k.Count(word), $"counts differ for {word}");
        }
    }

    [Fact]
    public void Count_RandomTextsOfEveryKind_MatchTheReferenceTokenizer()
    {
        // Letters of several scripts and cases, digits, marks, white space of every kind, punctuation, surrogate pairs,
        // lone surrogates and the special tokens, in random runs: the pattern's every alternative and their boundaries.
        string[] alphabet =
        [
            "a", "e", "s", "t", "Z", "Q", "ß", "é", "İ", "ı", "\u0301", "ж", "Ж", "λ", "東", "の", "한", "ا", "ह", "\u093f",
            "0", "7", "٣", "½", "²", " ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2028", "'", "'s", "'LL", "’",
            ".", ",", "/", "-", "_", "{", "}", "\"", ":", "<", ">", "&", "#", "😀", "👩‍👧", "\ud83d", "\ude00", "<|endoftext|>",
            "<|endofprompt|>", "<|", "|>", "http://", "[0af3]", "ms",
        ];
        var random = new Random(20261205);
        for (var n = 0; n < 3000; n++)
        {
            var sb = new StringBuilder();
            var length = random.Next(1, 60);
            for (var i = 0; i < length; i++)
            {
                sb.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var text = sb.ToString();
            Assert.True(Reference.Value.CountTokens(text) == TokenCounter.O200k.Count(text), $"counts differ for {Escape(text)}");
        }
    }

    [Fact]
    public void Count_EveryEvalCaseFile_MatchesTheReferenceTokenizer()
    {
        // Real trace content (service names, SQL, URLs, stack traces, IDs) and the prompt templates, line by line as the
        // condenser counts them and whole as the rendered prompt is counted.
        var root = BadInputHarness.RepoRoot();
        var files = Directory.GetFiles(Path.Combine(root, "eval", "cases"), "*.json", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).Length < 200_000)
            .Take(60)
            .Concat(Directory.GetFiles(Path.Combine(root, "prompts")));
        var checkedTexts = 0;
        foreach (var file in files)
        {
            var content = File.ReadAllText(file);
            Assert.True(Reference.Value.CountTokens(content) == TokenCounter.O200k.Count(content), $"counts differ for {file}");
            foreach (var line in content.Split('\n').Take(400))
            {
                Assert.True(Reference.Value.CountTokens(line) == TokenCounter.O200k.Count(line), $"counts differ for a line of {file}: {Escape(line)}");
                checkedTexts++;
            }
        }

        Assert.True(checkedTexts > 1000, $"only {checkedTexts} lines were compared");
    }

    [Fact]
    public void Count_ConcurrentCallers_AgreeWithOneCaller()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"service-{i}/GET /items/{i * 7919} failed: timeout after {i}ms 😀 {new string('x', i)}").ToArray();
        var expected = texts.Select(TokenCounter.O200k.Count).ToArray();
        var actual = new int[texts.Length];
        Parallel.For(0, texts.Length, i => actual[i] = TokenCounter.O200k.Count(texts[i]));
        Assert.Equal(expected, actual);
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c < 0x20 || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString()));
}
