//! SMS-Activate's numeric country ids, with the ISO 3166-1 code and the
//! English name of each (names from libphonenumber's metadata). Ids no
//! client library or reseller table agrees on are left out; 12 ("USA
//! virtual") is left out so that the United States is 187 both ways.

/// `(id, ISO 3166-1 alpha-2, English name)`, by id.
pub(crate) const COUNTRIES: &[(u32, &str, &str)] = &[
    (0, "RU", "Russia"),
    (1, "UA", "Ukraine"),
    (2, "KZ", "Kazakhstan"),
    (3, "CN", "China"),
    (4, "PH", "Philippines"),
    (5, "MM", "Myanmar"),
    (6, "ID", "Indonesia"),
    (7, "MY", "Malaysia"),
    (8, "KE", "Kenya"),
    (9, "TZ", "Tanzania"),
    (10, "VN", "Vietnam"),
    (11, "KG", "Kyrgyzstan"),
    (13, "IL", "Israel"),
    (14, "HK", "Hong Kong"),
    (15, "PL", "Poland"),
    (16, "GB", "United Kingdom"),
    (17, "MG", "Madagascar"),
    (18, "CD", "The Democratic Republic Of Congo"),
    (19, "NG", "Nigeria"),
    (20, "MO", "Macao"),
    (21, "EG", "Egypt"),
    (22, "IN", "India"),
    (23, "IE", "Ireland"),
    (24, "KH", "Cambodia"),
    (25, "LA", "Laos"),
    (26, "HT", "Haiti"),
    (27, "CI", "Côte d'Ivoire"),
    (28, "GM", "Gambia"),
    (29, "RS", "Serbia"),
    (30, "YE", "Yemen"),
    (31, "ZA", "South Africa"),
    (32, "RO", "Romania"),
    (33, "CO", "Colombia"),
    (34, "EE", "Estonia"),
    (35, "AZ", "Azerbaijan"),
    (36, "CA", "Canada"),
    (37, "MA", "Morocco"),
    (38, "GH", "Ghana"),
    (39, "AR", "Argentina"),
    (40, "UZ", "Uzbekistan"),
    (41, "CM", "Cameroon"),
    (42, "TD", "Chad"),
    (43, "DE", "Germany"),
    (44, "LT", "Lithuania"),
    (45, "HR", "Croatia"),
    (46, "SE", "Sweden"),
    (47, "IQ", "Iraq"),
    (48, "NL", "Netherlands"),
    (49, "LV", "Latvia"),
    (50, "AT", "Austria"),
    (51, "BY", "Belarus"),
    (52, "TH", "Thailand"),
    (53, "SA", "Saudi Arabia"),
    (54, "MX", "Mexico"),
    (55, "TW", "Taiwan"),
    (56, "ES", "Spain"),
    (58, "DZ", "Algeria"),
    (59, "SI", "Slovenia"),
    (60, "BD", "Bangladesh"),
    (61, "SN", "Senegal"),
    (62, "TR", "Turkey"),
    (63, "CZ", "Czech Republic"),
    (64, "LK", "Sri Lanka"),
    (65, "PE", "Peru"),
    (66, "PK", "Pakistan"),
    (67, "NZ", "New Zealand"),
    (68, "GN", "Guinea"),
    (69, "ML", "Mali"),
    (70, "VE", "Venezuela"),
    (71, "ET", "Ethiopia"),
    (72, "MN", "Mongolia"),
    (73, "BR", "Brazil"),
    (74, "AF", "Afghanistan"),
    (75, "UG", "Uganda"),
    (76, "AO", "Angola"),
    (77, "CY", "Cyprus"),
    (78, "FR", "France"),
    (79, "PG", "Papua New Guinea"),
    (80, "MZ", "Mozambique"),
    (81, "NP", "Nepal"),
    (82, "BE", "Belgium"),
    (83, "BG", "Bulgaria"),
    (84, "HU", "Hungary"),
    (85, "MD", "Moldova"),
    (86, "IT", "Italy"),
    (87, "PY", "Paraguay"),
    (88, "HN", "Honduras"),
    (89, "TN", "Tunisia"),
    (90, "NI", "Nicaragua"),
    (91, "TL", "Timor-Leste"),
    (92, "BO", "Bolivia"),
    (93, "CR", "Costa Rica"),
    (94, "GT", "Guatemala"),
    (95, "AE", "United Arab Emirates"),
    (96, "ZW", "Zimbabwe"),
    (97, "PR", "Puerto Rico"),
    (99, "TG", "Togo"),
    (100, "KW", "Kuwait"),
    (101, "SV", "El Salvador"),
    (102, "LY", "Libya"),
    (103, "JM", "Jamaica"),
    (104, "TT", "Trinidad and Tobago"),
    (105, "EC", "Ecuador"),
    (106, "SZ", "Swaziland"),
    (107, "OM", "Oman"),
    (108, "BA", "Bosnia and Herzegovina"),
    (109, "DO", "Dominican Republic"),
    (111, "QA", "Qatar"),
    (112, "PA", "Panama"),
    (114, "MR", "Mauritania"),
    (115, "SL", "Sierra Leone"),
    (116, "JO", "Jordan"),
    (117, "PT", "Portugal"),
    (118, "BB", "Barbados"),
    (119, "BI", "Burundi"),
    (120, "BJ", "Benin"),
    (121, "BN", "Brunei"),
    (122, "BS", "Bahamas"),
    (123, "BW", "Botswana"),
    (124, "BZ", "Belize"),
    (125, "CF", "Central African Republic"),
    (126, "DM", "Dominica"),
    (127, "GD", "Grenada"),
    (128, "GE", "Georgia"),
    (129, "GR", "Greece"),
    (130, "GW", "Guinea-Bissau"),
    (131, "GY", "Guyana"),
    (132, "IS", "Iceland"),
    (133, "KM", "Comoros"),
    (134, "KN", "Saint Kitts And Nevis"),
    (135, "LR", "Liberia"),
    (136, "LS", "Lesotho"),
    (137, "MW", "Malawi"),
    (138, "NA", "Namibia"),
    (139, "NE", "Niger"),
    (140, "RW", "Rwanda"),
    (141, "SK", "Slovakia"),
    (142, "SR", "Suriname"),
    (143, "TJ", "Tajikistan"),
    (144, "MC", "Monaco"),
    (145, "BH", "Bahrain"),
    (146, "RE", "Reunion"),
    (147, "ZM", "Zambia"),
    (148, "AM", "Armenia"),
    (149, "SO", "Somalia"),
    (150, "CG", "Congo"),
    (151, "CL", "Chile"),
    (152, "BF", "Burkina Faso"),
    (153, "LB", "Lebanon"),
    (154, "GA", "Gabon"),
    (155, "AL", "Albania"),
    (156, "UY", "Uruguay"),
    (157, "MU", "Mauritius"),
    (158, "BT", "Bhutan"),
    (159, "MV", "Maldives"),
    (160, "GP", "Guadeloupe"),
    (161, "TM", "Turkmenistan"),
    (162, "GF", "French Guiana"),
    (163, "FI", "Finland"),
    (164, "LC", "Saint Lucia"),
    (165, "LU", "Luxembourg"),
    (166, "VC", "Saint Vincent And The Grenadines"),
    (167, "GQ", "Equatorial Guinea"),
    (168, "DJ", "Djibouti"),
    (169, "AG", "Antigua and Barbuda"),
    (170, "KY", "Cayman Islands"),
    (171, "ME", "Montenegro"),
    (173, "CH", "Switzerland"),
    (174, "NO", "Norway"),
    (175, "AU", "Australia"),
    (176, "ER", "Eritrea"),
    (177, "SS", "South Sudan"),
    (178, "ST", "Sao Tome And Principe"),
    (179, "AW", "Aruba"),
    (180, "MS", "Montserrat"),
    (181, "AI", "Anguilla"),
    (183, "MK", "Macedonia"),
    (184, "SC", "Seychelles"),
    (185, "NC", "New Caledonia"),
    (186, "CV", "Cape Verde"),
    (187, "US", "United States"),
    (189, "FJ", "Fiji"),
    (190, "KR", "South Korea"),
    (195, "BM", "Bermuda"),
    (196, "SG", "Singapore"),
];

/// The ISO code of protocol country `id`.
pub(crate) fn iso_of(id: u32) -> Option<&'static str> {
    COUNTRIES
        .binary_search_by_key(&id, |c| c.0)
        .ok()
        .map(|i| COUNTRIES[i].1)
}

/// The protocol id of ISO country `iso` (any case).
pub(crate) fn id_of(iso: &str) -> Option<u32> {
    COUNTRIES
        .iter()
        .find(|c| c.1.eq_ignore_ascii_case(iso))
        .map(|c| c.0)
}

/// The English name of protocol country `id`.
pub(crate) fn name_of(id: u32) -> Option<&'static str> {
    COUNTRIES
        .binary_search_by_key(&id, |c| c.0)
        .ok()
        .map(|i| COUNTRIES[i].2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_and_map_both_ways() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        for (id, iso, _) in COUNTRIES {
            assert_eq!(id_of(iso), Some(*id), "{iso}");
        }
        assert_eq!(iso_of(0), Some("RU"));
        assert_eq!(iso_of(16), Some("GB"));
        assert_eq!(iso_of(187), Some("US"));
        assert_eq!(id_of("us"), Some(187));
        assert_eq!(iso_of(12), None, "USA (virtual) is not the United States");
        assert_eq!(name_of(95), Some("United Arab Emirates"));
    }
}
