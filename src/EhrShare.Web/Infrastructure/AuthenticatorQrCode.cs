using QRCoder;

namespace EhrShare.Web.Infrastructure;

/// <summary>
/// The authenticator set-up's QR code, drawn here as a PNG data URI: the key never leaves the server for an outside
/// QR service or a CDN, and the page's content security policy already allows <c>data:</c> images (inline SVG would
/// need inline styles, which it forbids).
/// </summary>
public static class AuthenticatorQrCode
{
    public static string PngDataUri(string otpauthUri) =>
        "data:image/png;base64," + Convert.ToBase64String(PngByteQRCodeHelper.GetQRCode(otpauthUri, QRCodeGenerator.ECCLevel.Q, 5));
}
