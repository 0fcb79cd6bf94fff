namespace OpsAssistant.Server.Security;

/// <summary>One entry of <c>OpsAssistant:Security:Keys</c>: a key and the scopes (<see cref="ApiScopes"/>) it grants.</summary>
internal sealed class ScopedApiKey
{
    public string Key { get; set; } = "";

    public IList<string> Scopes { get; } = [];
}
