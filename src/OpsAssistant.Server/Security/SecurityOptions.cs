namespace OpsAssistant.Server.Security;

/// <summary>Who may call the service: <c>OpsAssistant:Security</c>.</summary>
internal sealed class SecurityOptions
{
    public const string SectionName = "OpsAssistant:Security";

    /// <summary>
    /// Keys granting every scope on every route that is not open (the page, health, OpenAPI, webhooks, deep links), as
    /// <c>X-Api-Key: key</c> or <c>Authorization: Bearer key</c> (gRPC: the same as metadata).
    /// None configured: the API is open, which the service only allows on loopback unless <see cref="AllowAnonymous"/>.
    /// </summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>
    /// Keys with scopes (<c>Keys:0:Key</c>, <c>Keys:0:Scopes:0=ingest</c>): an OTLP exporter's key need not read traces or
    /// change sampling. A key of <see cref="ApiKeys"/> grants every scope.
    /// </summary>
    public IList<ScopedApiKey> Keys { get; } = [];

    /// <summary>True when any key is configured: from then on every route but health, the page and the webhooks needs one.</summary>
    public bool HasKeys => ApiKeys.Count > 0 || Keys.Count > 0;

    /// <summary>Lets a service without API keys listen beyond loopback (behind an authenticating proxy, say).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Shortest <see cref="WebhookToken"/> accepted at start.</summary>
    public const int MinWebhookTokenLength = 16;

    /// <summary>Shortest <see cref="WebhookHmacSecret"/> accepted at start: an HMAC-SHA256 key of fewer bytes weakens it.</summary>
    public const int MinWebhookHmacSecretLength = 32;

    /// <summary>Bearer token the alert webhooks must present, when set (at least <see cref="MinWebhookTokenLength"/> characters).</summary>
    public string? WebhookToken { get; set; }

    /// <summary>
    /// HMAC-SHA256 secret, when set (at least <see cref="MinWebhookHmacSecretLength"/> characters): deliveries carry
    /// <c>X-OpsAssistant-Timestamp</c> (Unix seconds) and <c>X-OpsAssistant-Signature: sha256=hex(HMAC(secret, "{timestamp}.{body}"))</c>.
    /// </summary>
    public string? WebhookHmacSecret { get; set; }

    /// <summary>How far a signed delivery's timestamp may be from the service's clock (5 minutes); replays within it are refused.</summary>
    public TimeSpan WebhookSignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);
}
