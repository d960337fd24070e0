using Microsoft.AspNetCore.Http;

namespace Autopilot.Daemon.Http.Webhooks;

/// <summary>Reads a request body up to a limit, so an oversized delivery is refused without buffering it whole.</summary>
internal static class WebhookBody
{
    /// <summary>The body, or null when it exceeds <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
