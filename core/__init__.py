"""Concejo kernel: tenants, identity, documents, signing, jobs and the plugin system."""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko imports cryptography's DSA key types to recognise them (it never makes DSA keys);
# cryptography warns at that import on every start. Silence exactly that warning there.
warnings.filterwarnings("ignore", message="DSA is deprecated",
                        category=CryptographyDeprecationWarning, module=r"pyhanko\.")
