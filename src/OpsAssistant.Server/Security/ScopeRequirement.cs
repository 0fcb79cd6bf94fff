using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OpsAssistant.Infrastructure.Sampling;

namespace OpsAssistant.Server.Security;

/// <summary>Met when no key is configured at all (the open, loopback-only default), or the caller's key grants <see cref="Scope"/>.</summary>
internal sealed class ScopeRequirement(string scope) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;
}

/// <summary>Checks <see cref="ScopeRequirement"/>; strategy reads are also met anonymously while the sampling options allow it.</summary>
internal sealed class ScopeAuthorizationHandler(IOptionsMonitor<SecurityOptions> security, IOptionsMonitor<SamplingOptions> sampling)
    : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var open = !security.CurrentValue.HasKeys
            || (requirement.Scope == ApiScopes.Strategies && sampling.CurrentValue.AllowAnonymousStrategies);
        var scope = requirement.Scope == ApiScopes.Strategies ? ApiScopes.Read : requirement.Scope;
        if (open || context.User.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
