using System.Text.RegularExpressions;

namespace OpsAssistant.Core.Prompting;

/// <summary>
/// Removes secrets and personal data from trace text before anything leaves the process. Two layers: values of attributes
/// whose key names a secret are replaced whole; every other text is scanned for secret-shaped values (JWTs, bearer/basic
/// credentials, passwords in URLs, key=value secrets in URLs and headers, cloud keys, private keys, card numbers that pass Luhn, e-mail addresses).
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Marker = "[REDACTED]";

    private static readonly string[] BuiltInSensitiveKeys =
    [
        "authorization", "cookie", "password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key",
        "access_key", "private_key", "credential", "session", "x-api-key", "signature", "client_secret", "connection_string",
        "connectionstring",
    ];

    private readonly string[] _sensitiveKeys;
    private readonly Regex[] _extraPatterns;
    private readonly bool _redactEmails;

    public SecretRedactor(RedactionOptions? options = null)
    {
        options ??= new RedactionOptions();
        _sensitiveKeys = [.. BuiltInSensitiveKeys, .. options.SensitiveKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.ToLowerInvariant())];
        _extraPatterns = [.. options.Patterns.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200)))];
        _redactEmails = options.RedactEmails;
    }

    public static SecretRedactor Default { get; } = new();

    /// <summary>True when an attribute with this key carries a secret whatever its value looks like.</summary>
    public bool IsSensitiveKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var lower = key.ToLowerInvariant();
        foreach (var k in _sensitiveKeys)
        {
            // "token" would also match gen_ai.usage.input_tokens; token counts are not secrets.
            if (lower.Contains(k, StringComparison.Ordinal) && !(k == "token" && IsTokenCount(lower)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTokenCount(string lowerKey) =>
        lowerKey.Contains("tokens", StringComparison.Ordinal) || lowerKey.Contains("token_count", StringComparison.Ordinal)
        || lowerKey.Contains("token.type", StringComparison.Ordinal);

    /// <summary>The value to show for an attribute: redacted whole when the key is sensitive, scanned otherwise.</summary>
    public string RedactAttribute(string key, string value) => IsSensitiveKey(key) ? Marker : Redact(value);

    /// <summary>Replaces every secret-shaped substring of <paramref name="text"/>.</summary>
    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var result = PrivateKey().Replace(text, Marker);
        result = Jwt().Replace(result, Marker);
        result = UrlUserInfo().Replace(result, m => m.Groups[1].Value + Marker + "@");
        result = AuthScheme().Replace(result, m => m.Groups[1].Value + Marker);
        result = KeyValueSecret().Replace(result, m => m.Groups[1].Value + Marker);
        result = CloudKey().Replace(result, Marker);
        result = CardNumber().Replace(result, m => PassesLuhn(m.Value) ? Marker : m.Value);
        if (_redactEmails)
        {
            result = Email().Replace(result, Marker);
        }

        foreach (var pattern in _extraPatterns)
        {
            result = pattern.Replace(result, Marker);
        }

        // Attribute text such as "pool.pending_password=p@ss" inside evidence: the key says it is a secret even when the
        // value does not look like one, so the same key rules as for attributes apply.
        return RedactKeyedValues(result);
    }

    /// <summary>
    /// Key/value pairs whose key names a secret. A pair with an ordinary key is searched again inside its value, so the
    /// secret in "rejected: api_secret=…" or "https://host/path?access_token=…" is not hidden by the pair around it.
    /// </summary>
    private string RedactKeyedValues(string text) => KeyedValue().Replace(text, m =>
        m.Groups[3].Value == Marker ? m.Value
        : IsSensitiveKey(m.Groups[1].Value) ? m.Groups[1].Value + m.Groups[2].Value + Marker
        : m.Groups[1].Value + m.Groups[2].Value + RedactKeyedValues(m.Groups[3].Value));

    internal static bool PassesLuhn(string candidate)
    {
        var digits = candidate.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    [GeneratedRegex(@"([A-Za-z_][\w.\-]*)(\s*[=:]\s*)([^\s,;&""']+)", RegexOptions.CultureInvariant)]
    private static partial Regex KeyedValue();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    /// <summary>The password of a URL's user info (<c>https://user:password@host</c>): basic credentials in a link.</summary>
    [GeneratedRegex(@"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]+:)[^/\s@]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(@"(?i)\b((?:bearer|basic|token|digest)\s+)[A-Za-z0-9._~+/=-]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex AuthScheme();

    [GeneratedRegex(@"(?i)\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret|auth|sig|signature|session(?:id)?)\s*[=:]\s*""?)[^\s&""',;]{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex KeyValueSecret();

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|\bsk-[A-Za-z0-9_-]{20,}\b|\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bxox[abprs]-[A-Za-z0-9-]{10,}\b|\bAIza[0-9A-Za-z_-]{35}\b", RegexOptions.CultureInvariant)]
    private static partial Regex CloudKey();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"\b(?:\d[ -]?){12,18}\d\b", RegexOptions.CultureInvariant)]
    private static partial Regex CardNumber();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Email();
}
