<?xml version="1.0" encoding="UTF-8"?>
<!-- FICTIONAL SAMPLE DATA. Bebauungsplan "Am Mühlbach" of Musterstadt, an invented town
     (AGS 09999999 does not exist); no real plan, place or authority is meant. CC0-1.0.
     An outer development of 4.4 ha on fields at the western edge of the settlement, west of
     Lindenstraße between Finkenweg and Meisenweg (draft, Entwurfsbeschluss): WA 1 (GRZ 0.4,
     GFZ 0.8, II), WA 2 with GRZ 0.45 above the BauNVO § 17 limit of 0.4 (a warning case for
     demos), an MI strip, a public green edge towards the fields and Planstraße A extending
     Drosselweg. Hand-written XPlanGML 6.0, read with layers.xplanung.read_xplan. -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.xplanung.de/xplangml/6/0 http://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/6.0/XPlanung-Operationen.xsd"
    gml:id="GML_am_muehlbach_auszug">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:25832">
      <gml:lowerCorner>632330 5497265</gml:lowerCorner>
      <gml:upperCorner>632545 5497470</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_am_muehlbach_plan">
      <xplan:name>Am Mühlbach</xplan:name>
      <xplan:nummer>MS-BP 07</xplan:nummer>
      <xplan:beschreibung>Fiktiver Beispielplan (Entwurf) für die Beispielkommune Musterstadt: Wohngebiet am westlichen Ortsrand.</xplan:beschreibung>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon gml:id="GML_am_muehlbach_plan_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632330 5497265 632545 5497265 632545 5497470 632330 5497470 632330 5497265</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde>
        <xplan:XP_Gemeinde>
          <xplan:ags>09999999</xplan:ags>
          <xplan:gemeindeName>Musterstadt</xplan:gemeindeName>
        </xplan:XP_Gemeinde>
      </xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>2250</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_am_muehlbach_bereich"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_am_muehlbach_bereich">
      <xplan:nummer>0</xplan:nummer>
      <xplan:geltungsbereich>
        <gml:Polygon gml:id="GML_am_muehlbach_bereich_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632330 5497265 632545 5497265 632545 5497470 632330 5497470 632330 5497265</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:geltungsbereich>
      <xplan:planinhalt xlink:href="#GML_am_muehlbach_wa1"/>
      <xplan:planinhalt xlink:href="#GML_am_muehlbach_wa2"/>
      <xplan:planinhalt xlink:href="#GML_am_muehlbach_mi"/>
      <xplan:planinhalt xlink:href="#GML_am_muehlbach_gruen"/>
      <xplan:planinhalt xlink:href="#GML_am_muehlbach_strasse"/>
      <xplan:planinhalt xlink:href="#GML_am_muehlbach_baugrenze_wa1"/>
      <xplan:planinhalt xlink:href="#GML_am_muehlbach_baugrenze_wa2"/>
      <xplan:gehoertZuPlan xlink:href="#GML_am_muehlbach_plan"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_am_muehlbach_wa1">
      <xplan:text>Allgemeines Wohngebiet WA 1 (GRZ 0.4, GFZ 0.8, II Vollgeschosse)</xplan:text>
      <xplan:gehoertZuBereich xlink:href="#GML_am_muehlbach_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_am_muehlbach_wa1_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632360 5497375 632545 5497375 632545 5497470 632360 5497470 632360 5497375</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZ>0.8</xplan:GFZ>
      <xplan:GRZ>0.4</xplan:GRZ>
      <xplan:Z>2</xplan:Z>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
      <xplan:bauweise>1000</xplan:bauweise>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_am_muehlbach_wa2">
      <xplan:text>Allgemeines Wohngebiet WA 2: GRZ 0.45 liegt über der Obergrenze 0.4 des § 17 BauNVO (Demo)</xplan:text>
      <xplan:gehoertZuBereich xlink:href="#GML_am_muehlbach_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_am_muehlbach_wa2_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632360 5497305 632545 5497305 632545 5497365 632360 5497365 632360 5497305</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZ>0.9</xplan:GFZ>
      <xplan:GRZ>0.45</xplan:GRZ>
      <xplan:Z>2</xplan:Z>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
      <xplan:bauweise>1000</xplan:bauweise>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_am_muehlbach_mi">
      <xplan:text>Mischgebiet MI entlang der Südkante (GRZ 0.6, GFZ 1.2, III Vollgeschosse)</xplan:text>
      <xplan:gehoertZuBereich xlink:href="#GML_am_muehlbach_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_am_muehlbach_mi_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632360 5497265 632545 5497265 632545 5497305 632360 5497305 632360 5497265</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZ>1.2</xplan:GFZ>
      <xplan:GRZ>0.6</xplan:GRZ>
      <xplan:Z>3</xplan:Z>
      <xplan:allgArtDerBaulNutzung>2000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1500</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_am_muehlbach_gruen">
      <xplan:text>Öffentliche Grünfläche, Ortsrandeingrünung zur Feldflur</xplan:text>
      <xplan:gehoertZuBereich xlink:href="#GML_am_muehlbach_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_am_muehlbach_gruen_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632330 5497265 632360 5497265 632360 5497305 632360 5497365 632360 5497375 632360 5497470 632330 5497470 632330 5497265</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:zweckbestimmung>
        <xplan:BP_KomplexeZweckbestGruen>
          <xplan:allgemein>1000</xplan:allgemein>
        </xplan:BP_KomplexeZweckbestGruen>
      </xplan:zweckbestimmung>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:SO_Strassenverkehr gml:id="GML_am_muehlbach_strasse">
      <xplan:text>Planstraße A, Verlängerung des Drosselwegs bis zur Lindenstraße</xplan:text>
      <xplan:gehoertZuBereich xlink:href="#GML_am_muehlbach_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_am_muehlbach_strasse_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">632360 5497365 632545 5497365 632545 5497375 632360 5497375 632360 5497365</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
      <xplan:hatDarstellungMitBesondZweckbest>false</xplan:hatDarstellungMitBesondZweckbest>
    </xplan:SO_Strassenverkehr>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BauGrenze gml:id="GML_am_muehlbach_baugrenze_wa1">
      <xplan:gehoertZuBereich xlink:href="#GML_am_muehlbach_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:LineString gml:id="GML_am_muehlbach_baugrenze_wa1_geom" srsName="EPSG:25832">
          <gml:posList srsDimension="2">632365 5497380 632540 5497380 632540 5497465 632365 5497465 632365 5497380</gml:posList>
        </gml:LineString>
      </xplan:position>
    </xplan:BP_BauGrenze>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BauGrenze gml:id="GML_am_muehlbach_baugrenze_wa2">
      <xplan:gehoertZuBereich xlink:href="#GML_am_muehlbach_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:LineString gml:id="GML_am_muehlbach_baugrenze_wa2_geom" srsName="EPSG:25832">
          <gml:posList srsDimension="2">632365 5497310 632540 5497310 632540 5497360 632365 5497360 632365 5497310</gml:posList>
        </gml:LineString>
      </xplan:position>
    </xplan:BP_BauGrenze>
  </gml:featureMember>
</xplan:XPlanAuszug>
