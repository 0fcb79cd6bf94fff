namespace OpsAssistant.EvalGenerator;

/// <summary>The wire formats the readers accept; every one must appear in the eval set.</summary>
internal enum WireFormat
{
    OtlpJson,
    Tempo,
    JaegerV1,
    JaegerV3,
    ZipkinV2,
}
