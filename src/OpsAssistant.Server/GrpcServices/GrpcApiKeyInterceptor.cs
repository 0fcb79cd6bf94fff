using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>
/// The HTTP API's key rule on the gRPC port: with keys configured, a call carries one as <c>x-api-key</c> metadata or
/// <c>authorization: Bearer</c>, else it ends <see cref="StatusCode.Unauthenticated"/>; OTLP export needs the
/// <c>ingest</c> scope and strategy reads the <c>read</c> scope, else <see cref="StatusCode.PermissionDenied"/>.
/// Sampling-strategy reads stay open under <c>OpsAssistant:Sampling:AllowAnonymousStrategies</c>, as on HTTP: SDK samplers
/// send no key. Keys are matched by the same code as the HTTP authentication handler.
/// </summary>
internal sealed class GrpcApiKeyInterceptor(IOptionsMonitor<SecurityOptions> security, IOptionsMonitor<SamplingOptions> sampling) : Interceptor
{
    /// <summary>Jaeger's remote-sampling service; its method paths start with this.</summary>
    public const string SamplingServicePath = "/jaeger.api_v2.SamplingManager/";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var settings = security.CurrentValue;
        var isSampling = context.Method.StartsWith(SamplingServicePath, StringComparison.Ordinal);
        if (!settings.HasKeys || (isSampling && sampling.CurrentValue.AllowAnonymousStrategies))
        {
            return continuation(request, context);
        }

        var scopes = PresentedKey(context.RequestHeaders) is { } presented ? ApiKeyAuthenticationHandler.ScopesOf(settings, presented) : null;
        if (scopes is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"Send one of the keys configured in {SecurityOptions.SectionName}:ApiKeys or {SecurityOptions.SectionName}:Keys as 'x-api-key' metadata or 'authorization: Bearer <key>'."));
        }

        var needed = isSampling ? ApiScopes.Read : ApiScopes.Ingest;
        if (!scopes.Contains(needed))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"This key's scopes do not include '{needed}' ({SecurityOptions.SectionName}:Keys)."));
        }

        return continuation(request, context);
    }

    internal static string? PresentedKey(Metadata headers) =>
        ApiKeyAuthenticationHandler.PresentedKey(headers.GetValue("x-api-key"), headers.GetValue("authorization"));
}
