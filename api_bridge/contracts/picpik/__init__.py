"""PICPIK ``ModifyMaskedPixels`` and ``ListTasksDetails`` at ``POST /`` (the ``Action`` in the JSON body).

Modules: ``signer`` (the SHA-1 signature), ``models`` (request bodies), ``errors`` (the envelope and
the bridge's RetCodes), ``task`` (request → inpaint task), ``details`` (record → TaskDetail),
``service`` (framework-free handler), ``routes`` (its share of ``POST /``), ``contract`` (wiring).
"""

from .contract import CONTRACT

__all__ = ["CONTRACT"]
