using Grpc.AspNetCore.Server.Model;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>Discovers <see cref="OtlpTraceGrpcService"/>'s one method for <c>MapGrpcService</c>.</summary>
internal sealed class OtlpTraceMethodProvider : IServiceMethodProvider<OtlpTraceGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpTraceGrpcService> context) =>
        context.AddUnaryMethod(RawProtobufMethods.Unary(OtlpTraceGrpcService.ServiceName, "Export"), [],
            static (service, request, call) => service.ExportAsync(request, call));
}
