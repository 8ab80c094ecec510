"""HTTP faces of notificaciones: staff pages, the sede and the JSON API."""
