/* TEST-ONLY, never shipped: bcryptprimitives.dll for wine 8, which lacks it.
 *
 * Rust's standard library for Windows 10 and later (the x86_64/i686-pc-windows-gnu
 * targets) takes its random bytes from ProcessPrng in bcryptprimitives.dll, which every
 * Windows 10 has. Wine 8 does not ship that DLL, so the component would not load there. This
 * shim, put next to the test host's executable (the first place the loader looks), forwards
 * ProcessPrng to BCryptGenRandom with the system's preferred generator, which wine has.
 * The DLLs in dist/ are not changed by it, and a real Windows never sees it.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
