using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace OpsAssistant.Server.Security;

/// <summary>Met when no key is configured at all (the open, loopback-only default), or the caller's key grants <see cref="Scope"/>.</summary>
internal sealed class ScopeRequirement(string scope) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;
}

/// <summary>
/// Checks <see cref="ScopeRequirement"/>: strategy reads need the read scope here. Another handler may also meet a
/// requirement (sampling lets strategy reads through anonymously while its options say so); either one is enough.
/// </summary>
internal sealed class ScopeAuthorizationHandler(IOptionsMonitor<SecurityOptions> security) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var open = !security.CurrentValue.HasKeys;
        var scope = requirement.Scope == ApiScopes.Strategies ? ApiScopes.Read : requirement.Scope;
        if (open || context.User.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
