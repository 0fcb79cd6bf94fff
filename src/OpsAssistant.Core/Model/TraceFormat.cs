namespace OpsAssistant.Core.Model;

/// <summary>The wire format a trace was read from.</summary>
public enum TraceFormat
{
    Unknown = 0,
    OtlpJson,
    OtlpProtobuf,
    Tempo,
    JaegerV1,
    JaegerV3,
    ZipkinV2,
}
