namespace OpsAssistant.Server.Security;

/// <summary>Who may call the service: <c>OpsAssistant:Security</c>.</summary>
internal sealed class SecurityOptions
{
    public const string SectionName = "OpsAssistant:Security";

    /// <summary>
    /// Keys accepted on <c>/api/*</c> and <c>/v1/traces</c>, as <c>X-Api-Key: key</c> or <c>Authorization: Bearer key</c>.
    /// None configured: the API is open, which the service only allows on loopback unless <see cref="AllowAnonymous"/>.
    /// </summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>Lets a service without API keys listen beyond loopback (behind an authenticating proxy, say).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Bearer token the alert webhooks must present, when set.</summary>
    public string? WebhookToken { get; set; }

    /// <summary>HMAC-SHA256 secret the alert webhooks sign their body with, when set.</summary>
    public string? WebhookHmacSecret { get; set; }
}
