namespace OpsAssistant.EvalGenerator;

/// <summary>OTLP span kind numbers; the emitters translate them into each format's own spelling.</summary>
internal enum GenSpanKind
{
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}
