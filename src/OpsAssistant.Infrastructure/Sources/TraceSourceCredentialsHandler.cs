using System.Net.Http.Headers;
using System.Text;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>
/// Adds the configured credentials of <c>OpsAssistant:TraceSource</c> (bearer or basic Authorization, X-Scope-OrgID, any
/// extra header) to every request to the trace backend. The values come from configuration or the environment only; they
/// are set without validation of their content (already validated at start) and never logged.
/// </summary>
internal sealed class TraceSourceCredentialsHandler(TraceSourceOptions options) : DelegatingHandler
{
    public const string OrgIdHeader = "X-Scope-OrgID";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.BearerToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
        }
        else if (!string.IsNullOrEmpty(options.Username))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        }

        if (!string.IsNullOrEmpty(options.OrgId))
        {
            request.Headers.Remove(OrgIdHeader);
            request.Headers.TryAddWithoutValidation(OrgIdHeader, options.OrgId);
        }

        foreach (var (name, value) in options.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
