//! Certificates for a district served over HTTPS, made by the test (rcgen):
//! the district's own CA, the server's certificate for 127.0.0.1 signed by
//! it, and another CA that signed nothing the server holds.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

pub struct Certificates {
    _dir: tempfile::TempDir,
    /// The district's CA (PEM): what a counter's `ca_file` names.
    pub ca: PathBuf,
    /// A CA that did not sign the server's certificate.
    pub other_ca: PathBuf,
    /// The server's certificate chain and its key (mode 0600).
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

impl Certificates {
    pub fn make() -> Certificates {
        let dir = tempfile::Builder::new().prefix("onedoor-tls").tempdir().unwrap();
        let district_ca = ca("onedoor test district CA");
        let other = ca("some other CA");
        let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, "district.test");
        params.is_ca = IsCa::NoCa;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().unwrap();
        let server = params.signed_by(&key, &district_ca).unwrap();
        let c = Certificates {
            ca: dir.path().join("district-ca.pem"),
            other_ca: dir.path().join("other-ca.pem"),
            cert: dir.path().join("server.pem"),
            key: dir.path().join("server.key"),
            _dir: dir,
        };
        std::fs::write(&c.ca, district_ca.pem()).unwrap();
        std::fs::write(&c.other_ca, other.pem()).unwrap();
        std::fs::write(&c.cert, server.pem()).unwrap();
        write_private(&c.key, &key.serialize_pem());
        c
    }

    /// The `serve` flags for HTTPS with this certificate.
    pub fn serve_args(&self) -> Vec<String> {
        ["--tls-cert", path_str(&self.cert), "--tls-key", path_str(&self.key)].map(str::to_string).to_vec()
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}
