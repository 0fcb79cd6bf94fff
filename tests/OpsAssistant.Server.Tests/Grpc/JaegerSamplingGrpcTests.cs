using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using OpsAssistant.Server.GrpcServices;
using OpsAssistant.Server.GrpcServices.Jaeger;

namespace OpsAssistant.Server.Tests.Grpc;

/// <summary>
/// Jaeger remote sampling over gRPC, called with the client generated from the service's <c>jaeger.api_v2</c> proto as a
/// Java-style sampler calls it: the same answers as <c>GET /api/sampling</c>, overrides included.
/// </summary>
public sealed class JaegerSamplingGrpcTests
{
    private const string ApiKey = "sampling-grpc-key-0123456789";

    [Fact]
    public async Task GetSamplingStrategy_WithoutKey_AnswersWhatHttpAnswersIncludingOverrides()
    {
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Security:ApiKeys:0"] = ApiKey,
            ["OpsAssistant:Sampling:DefaultRate"] = "0.05",
            ["OpsAssistant:Sampling:Services:checkout:Rate"] = "0.2",
            ["OpsAssistant:Sampling:Services:checkout:Operations:GET /cart"] = "0.5",
        });
        using var http = host.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        (await http.PostAsJsonAsync("/api/sampling/overrides", new { service = "payment", rate = 1.0, ttl = "30m", reason = "incident" })).EnsureSuccessStatusCode();
        using var channel = GrpcChannel.ForAddress(host.Services.GetRequiredService<GrpcServer>().Address!);
        var client = new SamplingManager.SamplingManagerClient(channel);

        foreach (var service in new[] { "checkout", "payment", "unconfigured" })
        {
            var viaGrpc = await client.GetSamplingStrategyAsync(new SamplingStrategyParameters { ServiceName = service });
            using var viaHttp = JsonDocument.Parse(await http.GetStringAsync($"/api/sampling?service={service}"));

            var expected = viaHttp.RootElement;
            Assert.Equal(SamplingStrategyType.Probabilistic, viaGrpc.StrategyType);
            Assert.Equal(expected.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble(), viaGrpc.ProbabilisticSampling.SamplingRate);
            var operations = expected.GetProperty("operationSampling");
            Assert.Equal(operations.GetProperty("defaultSamplingProbability").GetDouble(), viaGrpc.OperationSampling.DefaultSamplingProbability);
            Assert.Equal(operations.GetProperty("defaultLowerBoundTracesPerSecond").GetDouble(), viaGrpc.OperationSampling.DefaultLowerBoundTracesPerSecond);
            Assert.Equal(
                operations.GetProperty("perOperationStrategies").EnumerateArray()
                    .Select(o => (o.GetProperty("operation").GetString(), o.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble())),
                viaGrpc.OperationSampling.PerOperationStrategies.Select(o => ((string?)o.Operation, o.ProbabilisticSampling.SamplingRate)));
        }

        var checkout = await client.GetSamplingStrategyAsync(new SamplingStrategyParameters { ServiceName = "checkout" });
        Assert.Equal(0.2, checkout.ProbabilisticSampling.SamplingRate);
        Assert.Contains(checkout.OperationSampling.PerOperationStrategies, o => o.Operation == "GET /cart" && o.ProbabilisticSampling.SamplingRate == 0.5);
        Assert.Equal(1.0, (await client.GetSamplingStrategyAsync(new SamplingStrategyParameters { ServiceName = "payment" })).ProbabilisticSampling.SamplingRate);
    }

    [Fact]
    public async Task GetSamplingStrategy_AnonymousStrategiesOff_NeedsTheKey()
    {
        using var host = new OpsAssistantHost(new()
        {
            ["OpsAssistant:Security:ApiKeys:0"] = ApiKey,
            ["OpsAssistant:Sampling:AllowAnonymousStrategies"] = "false",
        });
        _ = host.BaseAddress;
        using var channel = GrpcChannel.ForAddress(host.Services.GetRequiredService<GrpcServer>().Address!);
        var client = new SamplingManager.SamplingManagerClient(channel);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.GetSamplingStrategyAsync(new SamplingStrategyParameters { ServiceName = "checkout" }));
        var allowed = await client.GetSamplingStrategyAsync(new SamplingStrategyParameters { ServiceName = "checkout" }, new Metadata { { "authorization", "Bearer " + ApiKey } });

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal(0.01, allowed.ProbabilisticSampling.SamplingRate);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has spaces")]
    public async Task GetSamplingStrategy_BadServiceName_IsInvalidArgument(string service)
    {
        using var host = new OpsAssistantHost();
        _ = host.BaseAddress;
        using var channel = GrpcChannel.ForAddress(host.Services.GetRequiredService<GrpcServer>().Address!);
        var client = new SamplingManager.SamplingManagerClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.GetSamplingStrategyAsync(new SamplingStrategyParameters { ServiceName = service }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("serviceName", error.Status.Detail, StringComparison.Ordinal);
    }
}
