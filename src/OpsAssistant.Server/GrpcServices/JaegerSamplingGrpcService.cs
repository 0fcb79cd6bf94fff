using Grpc.Core;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Server.GrpcServices.Jaeger;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>
/// <c>jaeger.api_v2.SamplingManager/GetSamplingStrategy</c>: the strategy <c>GET /api/sampling?service=</c> serves (overrides
/// in force included), for samplers that poll over gRPC only (Java's Jaeger remote sampler). Open without a key while
/// <c>OpsAssistant:Sampling:AllowAnonymousStrategies</c> is true, as on HTTP.
/// </summary>
internal sealed class JaegerSamplingGrpcService(SamplingOverrideService overrides) : SamplingManager.SamplingManagerBase
{
    public override async Task<Jaeger.SamplingStrategyResponse> GetSamplingStrategy(SamplingStrategyParameters request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (!SamplingNames.IsValidService(request.ServiceName))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"serviceName is required: a service name of {SamplingNames.ServiceRule}"));
        }

        var strategy = await overrides.StrategyAsync(request.ServiceName, context.CancellationToken);
        var response = new Jaeger.SamplingStrategyResponse
        {
            StrategyType = SamplingStrategyType.Probabilistic,
            ProbabilisticSampling = new Jaeger.ProbabilisticSamplingStrategy { SamplingRate = strategy.ProbabilisticSampling.SamplingRate },
            OperationSampling = new Jaeger.PerOperationSamplingStrategies
            {
                DefaultSamplingProbability = strategy.OperationSampling.DefaultSamplingProbability,
                DefaultLowerBoundTracesPerSecond = strategy.OperationSampling.DefaultLowerBoundTracesPerSecond,
            },
        };
        response.OperationSampling.PerOperationStrategies.AddRange(strategy.OperationSampling.PerOperationStrategies.Select(o => new Jaeger.OperationSamplingStrategy
        {
            Operation = o.Operation,
            ProbabilisticSampling = new Jaeger.ProbabilisticSamplingStrategy { SamplingRate = o.ProbabilisticSampling.SamplingRate },
        }));
        return response;
    }
}
