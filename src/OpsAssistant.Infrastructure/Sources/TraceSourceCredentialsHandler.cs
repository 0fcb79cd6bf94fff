namespace OpsAssistant.Infrastructure.Sources;

/// <summary>
/// Adds the configured credentials of <c>OpsAssistant:TraceSource</c> (bearer or basic Authorization, X-Scope-OrgID, any
/// extra header) to every request to the trace backend. The values come from configuration or the environment only; they
/// are set without validation of their content (already validated at start) and never logged.
/// </summary>
internal sealed class TraceSourceCredentialsHandler(TraceSourceOptions options) : DelegatingHandler
{
    public const string OrgIdHeader = HttpCredentials.OrgIdHeader;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpCredentials.Apply(request, options.BearerToken, options.Username, options.Password, options.OrgId);
        foreach (var (name, value) in options.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
