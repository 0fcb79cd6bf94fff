namespace OpsAssistant.Server.Tests;

/// <summary>
/// HTTP/1.1 over a bare socket, for requests whose traceparent must reach the host unchanged: an in-process HttpClient would
/// not do, because the host's HttpClient instrumentation listens in this process too and replaces the header with its own.
/// </summary>
internal static class RawHttp
{
    public static async Task<string> PostJsonAsync(Uri baseAddress, string path, string json, string traceparent)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        await using var stream = tcp.GetStream();
        var body = System.Text.Encoding.UTF8.GetBytes(json);
        var head = $"POST {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\ntraceparent: {traceparent}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
