// The solution and person picker (autocomplete): written by the inventory app.
"use strict";
