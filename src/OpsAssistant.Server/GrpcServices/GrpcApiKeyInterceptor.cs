using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>
/// The HTTP API's key rule on the gRPC port: with <c>OpsAssistant:Security:ApiKeys</c> set, a call carries one of them as
/// <c>x-api-key</c> metadata or <c>authorization: Bearer</c>, else it ends <see cref="StatusCode.Unauthenticated"/>.
/// Sampling-strategy reads stay open under <c>OpsAssistant:Sampling:AllowAnonymousStrategies</c>, as on HTTP: SDK samplers
/// send no key. Keys are compared as the HTTP middleware compares them.
/// </summary>
internal sealed class GrpcApiKeyInterceptor(IOptionsMonitor<SecurityOptions> security, IOptionsMonitor<SamplingOptions> sampling) : Interceptor
{
    /// <summary>Jaeger's remote-sampling service; its method paths start with this.</summary>
    public const string SamplingServicePath = "/jaeger.api_v2.SamplingManager/";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var keys = security.CurrentValue.ApiKeys;
        var open = sampling.CurrentValue.AllowAnonymousStrategies && context.Method.StartsWith(SamplingServicePath, StringComparison.Ordinal);
        if (keys.Count > 0 && !open && !ApiKeyMiddleware.IsKnownKey(PresentedKey(context.RequestHeaders), keys))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"Send one of the keys configured in {SecurityOptions.SectionName}:ApiKeys as 'x-api-key' metadata or 'authorization: Bearer <key>'."));
        }

        return continuation(request, context);
    }

    internal static string? PresentedKey(Metadata headers)
    {
        var key = headers.GetValue("x-api-key");
        if (string.IsNullOrEmpty(key) && headers.GetValue("authorization") is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = authorization["Bearer ".Length..].Trim();
        }

        return string.IsNullOrEmpty(key) ? null : key;
    }
}
