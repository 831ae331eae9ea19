//! The shared library answers to usrsctp's soname, so programs linked
//! against Debian's `libusrsctp.so.2` load it unchanged.
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libusrsctp.so.2");
}
