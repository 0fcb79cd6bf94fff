using System.Net.Http.Headers;
using System.Text;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>Configured credentials on an outgoing request: what trace backends and remote baseline sources both accept.</summary>
internal static class HttpCredentials
{
    public const string OrgIdHeader = "X-Scope-OrgID";

    /// <summary>Bearer wins over basic; the tenant header replaces any already set. Values are never logged.</summary>
    public static void Apply(HttpRequestMessage request, string? bearerToken, string? username, string? password, string? orgId)
    {
        if (!string.IsNullOrEmpty(bearerToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }
        else if (!string.IsNullOrEmpty(username))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        }

        if (!string.IsNullOrEmpty(orgId))
        {
            request.Headers.Remove(OrgIdHeader);
            request.Headers.TryAddWithoutValidation(OrgIdHeader, orgId);
        }
    }
}
