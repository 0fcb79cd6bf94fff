namespace OpsAssistant.Core.Prompting;

/// <summary>What counts as a secret, beyond the built-in rules (<c>OpsAssistant:Redaction</c>).</summary>
public sealed class RedactionOptions
{
    public const string SectionName = "OpsAssistant:Redaction";

    /// <summary>Extra attribute-key fragments whose values are always redacted (case-insensitive substring match).</summary>
    public List<string> SensitiveKeys { get; set; } = [];

    /// <summary>Extra regular expressions; any match in any text is replaced.</summary>
    public List<string> Patterns { get; set; } = [];

    /// <summary>Redact e-mail addresses (on by default: they are personal data).</summary>
    public bool RedactEmails { get; set; } = true;
}
