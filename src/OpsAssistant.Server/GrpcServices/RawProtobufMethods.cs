using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>
/// Binds gRPC methods whose messages stay raw protobuf bytes: the project decodes OTLP with its own reader rather than
/// generated classes, so the method only needs the service and method names on the wire.
/// </summary>
internal static class RawProtobufMethods
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static (byte[] message) => message, static message => message);

    public static Method<byte[], byte[]> Unary(string serviceName, string methodName) =>
        new(MethodType.Unary, serviceName, methodName, Bytes, Bytes);
}
