using OpsAssistant.Infrastructure.Sources;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>Adds a remote baseline source's configured credentials (bearer or basic Authorization, X-Scope-OrgID) to every attempt.</summary>
internal sealed class BaselineSourceCredentialsHandler(RemoteBaselineOptions options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpCredentials.Apply(request, options.BearerToken, options.Username, options.Password, options.OrgId);
        return base.SendAsync(request, cancellationToken);
    }
}
