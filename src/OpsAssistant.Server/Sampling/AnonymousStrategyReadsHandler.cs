using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.Sampling;

/// <summary>
/// Meets the <see cref="ApiScopes.Strategies"/> policy without a key while <see cref="SamplingOptions.AllowAnonymousStrategies"/>
/// is on: SDK samplers poll strategies and rarely carry credentials. Sampling owns the rule; the scope check stays generic.
/// </summary>
internal sealed class AnonymousStrategyReadsHandler(IOptionsMonitor<SamplingOptions> sampling) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (requirement.Scope == ApiScopes.Strategies && sampling.CurrentValue.AllowAnonymousStrategies)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
