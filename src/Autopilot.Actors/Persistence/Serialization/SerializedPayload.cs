namespace Autopilot.Actors.Persistence.Serialization;

/// <summary>
/// An event or snapshot as it is stored: the stable manifest name, the schema version it was written with,
/// and its UTF-8 JSON.
/// </summary>
/// <param name="Manifest">Stable name of the type (see <see cref="EventManifestAttribute"/>).</param>
/// <param name="Version">Schema version the JSON was written with.</param>
/// <param name="Json">UTF-8 JSON bytes.</param>
public sealed record SerializedPayload(string Manifest, int Version, byte[] Json);
